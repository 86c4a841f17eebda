import BosunYAML

/// Applies interpolation to every scalar value of a tree (keys are left as written), reporting failures at the value.
struct NodeInterpolation {
    let interpolator: Interpolator
    let sink: DiagnosticSink

    func apply(_ node: YAMLNode) -> YAMLNode {
        var node = node
        switch node.content {
        case .scalar(let text, let style):
            guard text.contains("$") else { return node }
            do {
                let value = try interpolator.interpolate(text)
                // A value that came from a variable is plain again, so `retries: $RETRIES` reads as a number.
                node.content = .scalar(value, style == .plain || value != text ? .plain : style)
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
