import BosunYAML

/// Applies interpolation to every scalar value of a tree (keys are left as written), reporting failures at the value.
struct NodeInterpolation {
    let interpolator: Interpolator
    let sink: DiagnosticSink
    /// Variables already warned about in this load (shared by every file of every project).
    let unsetLog: UnsetVariableLog

    func apply(_ node: YAMLNode) -> YAMLNode {
        var node = node
        switch node.content {
        case .scalar(let text, let style):
            guard text.contains("$") else { return node }
            do {
                var unset: [String] = []
                let value = try interpolator.interpolate(text, unset: &unset)
                // Interpolated text stays a string, as in Compose: "" is "", and `null` or `~` from a variable are
                // those words, never YAML's null. Typed fields still read it (`retries: $RETRIES` is a number;
                // an empty one is an error at the value, not the default).
                node.content = .scalar(value, value != text ? .doubleQuoted : style)
                for name in unset where unsetLog.firstUse(of: name) {
                    sink.warning(node.start, "variable \(name) is not set, defaulting to a blank string",
                                 hint: "set \(name) in the agent's environment or in .env beside the compose file, or write ${\(name):-} if blank is meant")
                }
            } catch {
                sink.error(node.start, error.message, hint: error.hint)
            }
        case .sequence(let items):
            node.content = .sequence(items.map(apply))
        case .mapping(let pairs):
            node.content = .mapping(pairs.map { YAMLPair(key: $0.key, value: apply($0.value)) })
        }
        return node
    }
}

/// The unset variables of one load (one commit), so each is warned about once, at its first use.
final class UnsetVariableLog {
    private var warned: Set<String> = []

    /// True the first time `name` is seen.
    func firstUse(of name: String) -> Bool { warned.insert(name).inserted }
}
