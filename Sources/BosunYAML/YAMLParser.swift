internal import CLibYAML

/// Reads a YAML stream with the system libyaml into node trees that keep every node's position.
///
/// Anchors and aliases are resolved, merge keys (`<<`) applied, duplicate keys rejected. Scalars keep their
/// text and style: typing (null, bool, int) is left to the reader, which knows what the schema wants there.
public enum YAMLParser {
    /// The most nodes a document may expand to through aliases (guards against "billion laughs").
    public static let maximumExpandedNodes = 1_000_000
    /// The deepest nesting of collections accepted (guards the stack against `[[[[…`).
    public static let maximumDepth = 256

    /// Parses every document of a stream.
    public static func parseStream(_ text: String) throws(YAMLError) -> [YAMLNode] {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return [] }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(mark: YAMLMark(line: 1, column: 1), message: "could not initialise the yaml parser")
        }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) -> [YAMLNode] in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = Composer(parser: &parser)
            return try composer.documents()
        }
    }

    /// Parses a stream that must hold at most one document; an empty stream gives nil.
    public static func parseDocument(_ text: String) throws(YAMLError) -> YAMLNode? {
        let documents = try parseStream(text)
        if documents.count > 1 {
            throw YAMLError(mark: documents[1].start, message: "more than one yaml document in this file; put each in a file of its own")
        }
        return documents.first
    }
}

/// Builds node trees from libyaml's events.
private struct Composer {
    var parser: UnsafeMutablePointer<yaml_parser_t>
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var expandedNodes = 0
    var depth = 0

    init(parser: UnsafeMutablePointer<yaml_parser_t>) {
        self.parser = parser
    }

    mutating func documents() throws(YAMLError) -> [YAMLNode] {
        var result: [YAMLNode] = []
        while true {
            var event = try next()
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return result
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
                expandedNodes = 0
                var body = try next()
                let (node, _) = try compose(&body)
                yaml_event_delete(&body)
                var end = try next()
                yaml_event_delete(&end)
                result.append(node)
            default:
                continue
            }
        }
    }

    mutating func next() throws(YAMLError) -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            throw parserError()
        }
        return event
    }

    func parserError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "invalid yaml"
        var message = problem
        if let context = p.context.map({ String(cString: $0) }) {
            message = "\(problem) \(context) at \(Composer.mark(p.context_mark))"
        }
        return YAMLError(mark: Composer.mark(p.problem_mark), message: message)
    }

    static func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1, index: Int(m.index))
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// Composes the node that starts with `event`; returns it and its expanded size.
    mutating func compose(_ event: inout yaml_event_t) throws(YAMLError) -> (YAMLNode, Int) {
        let start = Composer.mark(event.start_mark)
        depth += 1
        defer { depth -= 1 }
        if depth > YAMLParser.maximumDepth {
            throw YAMLError(mark: start, message: "collections are nested more than \(YAMLParser.maximumDepth) levels deep; refusing to read further")
        }
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Composer.string(event.data.alias.anchor) ?? ""
            guard let (node, size) = anchors[name] else {
                throw YAMLError(mark: start, message: "unknown alias *\(name); define the anchor &\(name) before using it")
            }
            try count(size, at: start)
            return (node, size)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text: String
            if let value = s.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: Int(s.length)), as: UTF8.self)
            } else {
                text = ""
            }
            let style: YAMLScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = YAMLNode(content: .scalar(text, style), start: start, end: Composer.mark(event.end_mark), tag: Composer.string(s.tag))
            try count(1, at: start)
            remember(Composer.string(s.anchor), node, 1)
            return (node, 1)
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Composer.string(event.data.sequence_start.anchor)
            let tag = Composer.string(event.data.sequence_start.tag)
            var items: [YAMLNode] = []
            var size = 1
            while true {
                var child = try next()
                if child.type == YAML_SEQUENCE_END_EVENT {
                    let end = Composer.mark(child.end_mark)
                    yaml_event_delete(&child)
                    let node = YAMLNode(content: .sequence(items), start: start, end: end, tag: tag)
                    try count(1, at: start)
                    remember(anchor, node, size)
                    return (node, size)
                }
                let (item, itemSize) = try compose(&child)
                yaml_event_delete(&child)
                items.append(item)
                size += itemSize
            }
        case YAML_MAPPING_START_EVENT:
            let anchor = Composer.string(event.data.mapping_start.anchor)
            let tag = Composer.string(event.data.mapping_start.tag)
            var pairs: [YAMLPair] = []
            var merges: [YAMLNode] = []
            var mergeKeys: [YAMLMark] = []
            var size = 1
            while true {
                var keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT {
                    let end = Composer.mark(keyEvent.end_mark)
                    yaml_event_delete(&keyEvent)
                    let merged = try Composer.applyMerges(pairs, merges)
                    let node = YAMLNode(content: .mapping(merged), start: start, end: end, tag: tag)
                    try count(1, at: start)
                    remember(anchor, node, size)
                    return (node, size)
                }
                let (key, keySize) = try compose(&keyEvent)
                yaml_event_delete(&keyEvent)
                var valueEvent = try next()
                let (value, valueSize) = try compose(&valueEvent)
                yaml_event_delete(&valueEvent)
                size += keySize + valueSize
                if case .scalar("<<", .plain) = key.content, key.tag == nil {
                    // Compose (go-yaml) refuses a second merge key in one mapping; taking either silently would
                    // pick one of two meanings.
                    if let first = mergeKeys.first {
                        throw YAMLError(mark: key.start, message: "duplicate merge key << (first at \(first)); merge several mappings with one key: <<: [*a, *b]",
                                        related: first)
                    }
                    mergeKeys.append(key.start)
                    merges.append(value)
                    continue
                }
                if let keyText = key.scalar, let first = pairs.first(where: { $0.key.scalar == keyText }) {
                    throw YAMLError(
                        mark: key.start,
                        message: "duplicate key \"\(keyText)\" (first defined at \(first.key.start)); remove one of them",
                        related: first.key.start)
                }
                pairs.append(YAMLPair(key: key, value: value))
            }
        default:
            throw YAMLError(mark: start, message: "unexpected yaml event")
        }
    }

    mutating func remember(_ anchor: String?, _ node: YAMLNode, _ size: Int) {
        if let anchor { anchors[anchor] = (node, size) }
    }

    mutating func count(_ nodes: Int, at mark: YAMLMark) throws(YAMLError) {
        expandedNodes += nodes
        if expandedNodes > YAMLParser.maximumExpandedNodes {
            throw YAMLError(mark: mark, message: "the document expands to more than \(YAMLParser.maximumExpandedNodes) nodes through aliases; refusing to read it")
        }
    }

    /// Applies merge keys: explicit keys win, then earlier merged mappings over later ones.
    static func applyMerges(_ pairs: [YAMLPair], _ merges: [YAMLNode]) throws(YAMLError) -> [YAMLPair] {
        if merges.isEmpty { return pairs }
        var result = pairs
        var seen = Set(pairs.compactMap { $0.key.scalar })
        var sources: [YAMLNode] = []
        for merge in merges {
            switch merge.content {
            case .mapping: sources.append(merge)
            case .sequence(let items):
                for item in items {
                    guard item.mapping != nil else {
                        throw YAMLError(mark: item.start, message: "a merge key (<<) list may hold only mappings, found \(item.kindDescription)")
                    }
                    sources.append(item)
                }
            case .scalar:
                throw YAMLError(mark: merge.start, message: "a merge key (<<) takes a mapping or a list of mappings, found \(merge.kindDescription)")
            }
        }
        for source in sources {
            for pair in source.mapping ?? [] {
                guard let key = pair.key.scalar else { continue }
                if seen.insert(key).inserted { result.append(pair) }
            }
        }
        return result
    }
}
