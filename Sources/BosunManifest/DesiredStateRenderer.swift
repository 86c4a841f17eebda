public import BosunModel
import Foundation

/// Prints a desired state as JSON or YAML, each service with its config hash, keys sorted.
public enum DesiredStateRenderer {
    /// An output format.
    public enum Format: String, Sendable, CaseIterable { case json, yaml }

    public static func render(_ state: DesiredState, revision: SourceRevision?, format: Format) -> String {
        guard case .object(var root) = JSONValue.encoding(state), case .array(let projects)? = root["projects"] else { return "" }
        root["desired_state_hash"] = .string(ConfigHash.of(stateJSON: JSONValue.object(root)))
        root["projects"] = .array(projects.map { project in
            guard case .object(var fields) = project, case .array(let services)? = fields["services"] else { return project }
            fields["services"] = .array(services.map { service in
                guard case .object(var serviceFields) = service else { return service }
                serviceFields["config_hash"] = .string(ConfigHash.of(serviceJSON: service))
                return .object(serviceFields)
            })
            return .object(fields)
        })
        if let revision { root["source"] = JSONValue.encoding(revision) }
        switch format {
        case .json: return JSONValue.object(root).prettyJSON(indent: 0)
        case .yaml:
            var out = ""
            YAMLWriter.write(.object(root), indent: 0, into: &out)
            return out.hasSuffix("\n") ? String(out.dropLast()) : out
        }
    }
}

/// A small block-style YAML writer; strings are quoted whenever YAML could misread them.
enum YAMLWriter {
    static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let fields) where !fields.isEmpty:
            for key in fields.keys.sorted(by: JSONValue.byteOrder) {
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

extension JSONValue {
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
            for (n, key) in fields.keys.sorted(by: JSONValue.byteOrder).enumerated() {
                out += n == 0 ? "\n" : ",\n"
                out += String(repeating: "  ", count: indent + 1) + YAMLWriter.quoted(key) + ": "
                fields[key]!.writeJSON(indent: indent + 1, into: &out)
            }
            out += "\n" + String(repeating: "  ", count: indent) + "}"
        }
    }
}
