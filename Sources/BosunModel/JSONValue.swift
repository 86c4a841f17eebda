import Foundation

/// A JSON value: what `Encodable` model types encode to, printed canonically for hashing
/// (sorted keys, no white space, minimal escaping) or pretty for people.
public indirect enum JSONValue: Sendable, Hashable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    /// The value an `Encodable` encodes to.
    public static func encoding(_ value: some Encodable) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain value types cannot fail; a failure would only give a distinct hash.
        guard let data = try? encoder.encode(value) else { return .null }
        var parser = JSONTextParser(bytes: Array(data))
        return parser.value() ?? .null
    }

    /// Parses JSON text; nil when it is not exactly one JSON value (trailing bytes included).
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        var parser = JSONTextParser(bytes: bytes)
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.index == bytes.count ? value : nil
    }

    /// The value of a key of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The string, or nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, or nil.
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// Decodes a `Decodable` from this value (through its JSON text).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(canonicalBytes))
    }

    /// The canonical form: keys sorted by their UTF-8 bytes, no white space, only `"`, `\` and control
    /// characters escaped. It depends on nothing but the value, so hashes survive library upgrades.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        writeCanonical(into: &out)
        return out
    }

    func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array(String(d).utf8)
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted(by: JSONValue.byteOrder).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                fields[key]!.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Orders keys by their UTF-8 bytes, the order of the canonical form.
    public static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

}

extension JSONValue {
    /// Every leaf as a dotted path (`environment.MODE`, `ports[0].published`) → its text; empty containers
    /// as `{}`/`[]`. For field-level diffs.
    public func flattened() -> [String: String] {
        var out: [String: String] = [:]
        flatten("", into: &out)
        return out
    }

    private func flatten(_ path: String, into out: inout [String: String]) {
        switch self {
        case .object(let fields):
            if fields.isEmpty && !path.isEmpty { out[path] = "{}" }
            for (key, child) in fields { child.flatten(path.isEmpty ? key : "\(path).\(key)", into: &out) }
        case .array(let items):
            if items.isEmpty { out[path] = "[]" }
            for (index, child) in items.enumerated() { child.flatten("\(path)[\(index)]", into: &out) }
        case .string(let s): out[path] = s
        case .int(let i): out[path] = String(i)
        case .double(let d): out[path] = String(d)
        case .bool(let b): out[path] = b ? "true" : "false"
        case .null: out[path] = "null"
        }
    }
}
