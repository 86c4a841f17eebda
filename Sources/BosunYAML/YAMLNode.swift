/// A position in a YAML source: 1-based line and column, 0-based character index.
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var index: Int

    public init(line: Int, column: Int, index: Int = 0) {
        self.line = line
        self.column = column
        self.index = index
    }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written; plain scalars are the only ones YAML resolves to null, booleans or numbers.
public enum YAMLScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A node of a YAML document with its start and end positions; aliases are already resolved.
public struct YAMLNode: Sendable {
    /// The content of a node.
    public indirect enum Content: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var start: YAMLMark
    public var end: YAMLMark
    /// The explicit tag (`!!str`, `!reset`, …), if one was written.
    public var tag: String?

    public init(content: Content, start: YAMLMark, end: YAMLMark, tag: String? = nil) {
        self.content = content
        self.start = start
        self.end = end
        self.tag = tag
    }

    /// The scalar's text, or nil for a collection.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The items of a sequence, or nil.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs of a mapping, or nil.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// True for `~`, `null`, `Null`, `NULL` and an empty plain scalar.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = content, tag == nil || tag == "tag:yaml.org,2002:null" else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// A word for the node's kind, for messages: `a string`, `a list`, `a mapping`, `null`.
    public var kindDescription: String {
        switch content {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// The value for a key in a mapping (keys compared as scalars), or nil.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first(where: { $0.key.scalar == key })?.value
    }
}

/// A key and its value in a mapping.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
