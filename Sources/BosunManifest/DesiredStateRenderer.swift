public import BosunModel
import Foundation

/// Prints a desired state as JSON or YAML, each service with its config hash, keys sorted.
public enum DesiredStateRenderer {
    /// An output format.
    public enum Format: String, Sendable, CaseIterable { case json, yaml }

    public static func render(_ state: DesiredState, revision: SourceRevision?, format: Format) -> String {
        var projects: [JSONValue] = []
        for project in state.projects {
            guard case .object(var fields) = JSONValue.of(project) else { continue }
            fields["services"] = .array(project.services.map { service in
                guard case .object(var serviceFields) = JSONValue.of(service) else { return .null }
                serviceFields["config_hash"] = .string(ConfigHash.of(service))
                return .object(serviceFields)
            })
            projects.append(.object(fields))
        }
        var root: [String: JSONValue] = ["projects": .array(projects), "desired_state_hash": .string(ConfigHash.of(state))]
        if let revision { root["source"] = JSONValue.of(revision) }
        switch format {
        case .json: return JSONValue.object(root).prettyJSON(indent: 0)
        case .yaml:
            var out = ""
            YAMLWriter.write(.object(root), indent: 0, into: &out)
            return out.hasSuffix("\n") ? String(out.dropLast()) : out
        }
    }
}

/// A JSON value, decoded from the canonical encoding so that it can be printed in either format.
indirect enum JSONValue: Decodable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var fields: [String: JSONValue] = [:]
            for key in keyed.allKeys { fields[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(fields)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null } else if let b = try? single.decode(Bool.self) { self = .bool(b) } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) { self = .double(d) } else { self = .string(try single.decode(String.self)) }
    }

    static func of(_ value: some Encodable) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(ConfigHash.canonicalJSON(value)))) ?? .null
    }

    func prettyJSON(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return YAMLWriter.quoted(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.prettyJSON(indent: indent + 1) }.joined(separator: ",\n") + "\n\(closing)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n" + fields.keys.sorted().map { pad + YAMLWriter.quoted($0) + ": " + fields[$0]!.prettyJSON(indent: indent + 1) }.joined(separator: ",\n") + "\n\(closing)}"
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// A small block-style YAML writer; strings are quoted whenever YAML could misread them.
enum YAMLWriter {
    static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let fields) where !fields.isEmpty:
            for key in fields.keys.sorted() {
                let child = fields[key]!
                if child.isInline {
                    out += "\(pad)\(scalar(key)): \(inline(child))\n"
                } else {
                    out += "\(pad)\(scalar(key)):\n"
                    write(child, indent: indent + 1, into: &out)
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if item.isInline {
                    out += "\(pad)- \(inline(item))\n"
                } else {
                    var nested = ""
                    write(item, indent: indent + 1, into: &nested)
                    out += "\(pad)- \(nested.dropFirst(pad.count + 2))"
                }
            }
        default:
            out += "\(pad)\(inline(value))\n"
        }
    }

    static func inline(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return scalar(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    static func scalar(_ text: String) -> String {
        let plainSafe = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./@".contains($0)) }
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"].contains(text.lowercased())
            && Double(text) == nil && !text.hasPrefix("-") && !text.hasPrefix(".")
        return plainSafe ? text : quoted(text)
    }

    /// A double-quoted string valid in both JSON and YAML.
    static func quoted(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(escaped)\""
    }
}

extension JSONValue {
    var isInline: Bool {
        switch self {
        case .array(let items): return items.isEmpty
        case .object(let fields): return fields.isEmpty
        default: return true
        }
    }
}
