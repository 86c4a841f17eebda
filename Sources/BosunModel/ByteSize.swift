/// A size in bytes, parsed as Compose writes sizes: `512m`, `1.5G`, `100kb`, `1024` (binary units).
public struct ByteSize: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    /// Parses `N[.N][b|k|kb|m|mb|g|gb|t|tb]`, case-insensitive; a bare number is bytes.
    public init(parsing text: String) throws(ModelValueError) {
        let trimmed = text.trimmingSpaces().lowercased()
        var number = Substring(trimmed)
        var unit = ""
        while let last = number.last, last.isLetter {
            unit.insert(last, at: unit.startIndex)
            number = number.dropLast()
        }
        let factors: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1_048_576, "mb": 1_048_576, "mib": 1_048_576,
            "g": 1_073_741_824, "gb": 1_073_741_824, "gib": 1_073_741_824,
            "t": 1_099_511_627_776, "tb": 1_099_511_627_776, "tib": 1_099_511_627_776,
        ]
        guard let factor = factors[unit], let value = Double(number), value >= 0, value.isFinite,
              !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." })
        else {
            throw ModelValueError("invalid size \"\(text)\"; write a number with an optional unit b, k, m, g or t, e.g. 512m or 1.5g")
        }
        let bytes = value * factor
        guard bytes < 9.0e18 else { throw ModelValueError("size \"\(text)\" is too large") }
        self.bytes = Int64(bytes)
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The shortest exact form: `512m`, `1g`, `1536k`, `100b`.
    public var description: String {
        for (suffix, factor) in [("t", Int64(1) << 40), ("g", Int64(1) << 30), ("m", Int64(1) << 20), ("k", Int64(1) << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)b"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }

    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(Int64.self)
    }
}
