import BosunModel
import BosunYAML

/// Typed reads of YAML nodes that report a located diagnostic instead of failing, so reading goes on
/// and every problem of a file is reported at once.
struct NodeReader {
    let sink: DiagnosticSink

    func string(_ node: YAMLNode, _ what: String) -> String? {
        if node.isNull { return nil }
        guard let text = node.scalar else {
            sink.error(node.start, "\(what) must be a string, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    /// A scalar as text even when YAML would read it as a number or boolean (`version: 1.0`, `no`).
    func scalarText(_ node: YAMLNode, _ what: String) -> String? {
        string(node, what)
    }

    func int(_ node: YAMLNode, _ what: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text.trimmingSpaces()) else {
            sink.error(node.start, "\(what) must be an integer, found \"\(text)\"")
            return nil
        }
        if let range, !range.contains(value) {
            sink.error(node.start, "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default:
            sink.error(node.start, "\(what) must be true or false, found \"\(text)\"")
            return nil
        }
    }

    func duration(_ node: YAMLNode, _ what: String) -> ComposeDuration? {
        guard let text = string(node, what) else { return nil }
        do { return try ComposeDuration(parsing: text) } catch {
            sink.error(node.start, "\(what): \(error.message)")
            return nil
        }
    }

    func size(_ node: YAMLNode, _ what: String) -> ByteSize? {
        guard let text = string(node, what) else { return nil }
        do { return try ByteSize(parsing: text) } catch {
            sink.error(node.start, "\(what): \(error.message)")
            return nil
        }
    }

    /// A list of strings; a lone string is a list of one when `allowSingle`.
    func stringList(_ node: YAMLNode, _ what: String, allowSingle: Bool = false) -> [String] {
        if node.isNull { return [] }
        if allowSingle, let text = node.scalar { return [text] }
        guard let items = node.sequence else {
            sink.error(node.start, "\(what) must be a list of strings, found \(node.kindDescription)")
            return []
        }
        return items.compactMap { string($0, "an item of \(what)") }
    }

    /// A mapping of strings, written either as a mapping or as a list of `KEY=VALUE`.
    /// A key without a value gives nil (for environment: taken from the agent's environment).
    func stringMap(_ node: YAMLNode, _ what: String, separator: Character = "=") -> [(key: String, value: String?, node: YAMLNode)] {
        if node.isNull { return [] }
        if let pairs = node.mapping {
            return pairs.compactMap { pair in
                guard let key = string(pair.key, "a key of \(what)") else { return nil }
                if pair.value.isNull { return (key, nil, pair.key) }
                guard let value = pair.value.scalar else {
                    sink.error(pair.value.start, "the value of \(key) in \(what) must be a string, found \(pair.value.kindDescription)")
                    return nil
                }
                return (key, value, pair.value)
            }
        }
        if let items = node.sequence {
            return items.compactMap { item in
                guard let text = string(item, "an item of \(what)") else { return nil }
                guard let sep = text.firstIndex(of: separator) else { return (text, nil, item) }
                return (String(text[..<sep]), String(text[text.index(after: sep)...]), item)
            }
        }
        sink.error(node.start, "\(what) must be a mapping or a list of KEY\(separator)VALUE, found \(node.kindDescription)")
        return []
    }

    /// The pairs of a mapping, with every key checked against `known`; unknown keys are errors with a suggestion.
    /// Extension keys (`x-…`) are skipped, as the Compose specification says; `x-bosun` only where `known` lists it.
    func mapping(_ node: YAMLNode, _ what: String, known: [String]) -> [(key: String, value: YAMLNode, keyNode: YAMLNode)] {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            sink.error(node.start, "\(what) must be a mapping, found \(node.kindDescription)")
            return []
        }
        var result: [(key: String, value: YAMLNode, keyNode: YAMLNode)] = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                sink.error(pair.key.start, "a key of \(what) must be a string")
                continue
            }
            if key == "x-bosun" && !known.contains(key) {
                sink.warning(pair.key.start, "x-bosun has no options in \(what); it is ignored here",
                             hint: "x-bosun options go at the top level of the compose file")
                continue
            }
            if key.hasPrefix("x-") && key != "x-bosun" { continue }
            if !known.contains(key) {
                unknownKey(key, at: pair.key.start, in: what, known: known)
                continue
            }
            result.append((key, pair.value, pair.key))
        }
        return result
    }

    func unknownKey(_ key: String, at mark: YAMLMark, in what: String, known: [String]) {
        let hint = DidYouMean.suggestion(for: key, among: known).map { "did you mean \"\($0)\"?" }
        sink.error(mark, "unknown key \"\(key)\" in \(what)", hint: hint)
    }
}
