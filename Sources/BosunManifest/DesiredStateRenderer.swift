public import BosunModel
import Foundation

/// Prints a desired state as JSON or YAML, each service with its config hash, keys sorted.
public enum DesiredStateRenderer {
    /// An output format.
    public enum Format: String, Sendable, CaseIterable { case json, yaml }

    public static func render(_ state: DesiredState, revision: SourceRevision?, format: Format) -> String {
        var projects: [JSONValue] = []
        let projectsJSON = state.projects.map { ConfigHash.canonicalJSON($0) }
        for (project, json) in zip(state.projects, projectsJSON) {
            var parser = JSONTextParser(bytes: json)
            guard case .object(var fields)? = parser.value(), case .array(let encoded)? = fields["services"] else { continue }
            fields["services"] = .array(zip(project.services, encoded).map { service, value in
                guard case .object(var serviceFields) = value else { return value }
                serviceFields["config_hash"] = .string(ConfigHash.of(service))
                return .object(serviceFields)
            })
            projects.append(.object(fields))
        }
        var root: [String: JSONValue] = ["projects": .array(projects), "desired_state_hash": .string(ConfigHash.of(projectsJSON: projectsJSON))]
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
indirect enum JSONValue {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    static func of(_ value: some Encodable) -> JSONValue {
        var parser = JSONTextParser(bytes: ConfigHash.canonicalJSON(value))
        return parser.value() ?? .null
    }

    func prettyJSON(indent: Int) -> String {
        var out = ""
        writeJSON(indent: indent, into: &out)
        return out
    }

    func writeJSON(indent: Int, into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += String(d)
        case .string(let s): out += YAMLWriter.quoted(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: "  ", count: indent + 1)
                item.writeJSON(indent: indent + 1, into: &out)
            }
            out += "\n" + String(repeating: "  ", count: indent) + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (n, key) in fields.keys.sorted().enumerated() {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: "  ", count: indent + 1) + YAMLWriter.quoted(key) + ": "
                fields[key]!.writeJSON(indent: indent + 1, into: &out)
            }
            out += "\n" + String(repeating: "  ", count: indent) + "}"
        }
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
