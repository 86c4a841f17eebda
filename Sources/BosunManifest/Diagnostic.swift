public import BosunYAML

/// A problem found in a manifest, at a file:line:column, with what to do about it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How bad a problem is: errors stop a convergence, warnings are reported.
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    /// The tree-relative path of the file, e.g. `web/compose.yaml`.
    public var file: String
    /// Where in the file; nil when the problem is with the file as a whole.
    public var mark: YAMLMark?
    /// What is wrong, lower case, no trailing period.
    public var message: String
    /// What to do instead, when there is something to say.
    public var hint: String?

    public init(_ severity: Severity, file: String, mark: YAMLMark?, message: String, hint: String? = nil) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: error: message` — one line, as compilers print it.
    public var description: String {
        var out = file
        if let mark { out += ":\(mark.line):\(mark.column)" }
        out += ": \(severity.rawValue): \(message)"
        if let hint { out += " (\(hint))" }
        return out
    }

    /// The one-line form followed by the source line and a caret under the column.
    public func rendered(source: String?) -> String {
        var out = file
        if let mark { out += ":\(mark.line):\(mark.column)" }
        out += ": \(severity.rawValue): \(message)"
        if let mark, let source, let line = Diagnostic.line(mark.line, of: source) {
            let gutter = String(mark.line)
            let pad = String(repeating: " ", count: gutter.count)
            let caretIndent = String(line.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " })
            out += "\n \(gutter) | \(line)\n \(pad) | \(caretIndent)^"
        }
        if let hint { out += "\n \(String(repeating: " ", count: String(mark?.line ?? 0).count)) = hint: \(hint)" }
        return out
    }

    static func line(_ number: Int, of source: String) -> Substring? {
        var current = 1
        var start = source.startIndex
        var index = source.startIndex
        while index < source.endIndex {
            if source[index] == "\n" {
                if current == number { return source[start..<index] }
                current += 1
                start = source.index(after: index)
            }
            index = source.index(after: index)
        }
        return current == number ? source[start...] : nil
    }
}

/// Collects diagnostics while a manifest is read, so every problem is reported at once.
final class DiagnosticSink {
    private(set) var items: [Diagnostic] = []
    let file: String

    init(file: String) { self.file = file }

    func error(_ mark: YAMLMark?, _ message: String, hint: String? = nil) {
        items.append(Diagnostic(.error, file: file, mark: mark, message: message, hint: hint))
    }

    func warning(_ mark: YAMLMark?, _ message: String, hint: String? = nil) {
        items.append(Diagnostic(.warning, file: file, mark: mark, message: message, hint: hint))
    }

    /// A diagnostic about another file (an env_file read for this one).
    func add(_ diagnostic: Diagnostic) { items.append(diagnostic) }

    var hasErrors: Bool { items.contains { $0.severity == .error } }
}
