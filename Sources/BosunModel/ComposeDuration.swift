/// A duration as Compose writes it (Go's `1m30s`, `500ms`, `1.5h`); a bare number is seconds.
public struct ComposeDuration: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Int64) -> ComposeDuration { ComposeDuration(nanoseconds: s * 1_000_000_000) }

    public init(parsing text: String) throws(ModelValueError) {
        let input = text.trimmingSpaces()
        let bad = ModelValueError("invalid duration \"\(text)\"; write e.g. 30s, 1m30s, 500ms or 2h")
        if input.isEmpty { throw bad }
        if let seconds = Double(input), seconds >= 0, seconds.isFinite {
            nanoseconds = Int64(seconds * 1e9)
            return
        }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var rest = Substring(input)
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !digits.isEmpty, let value = Double(digits) else { throw bad }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix(while: { $0.isLetter })
            guard let unit = units.first(where: { $0.0 == String(letters) }) else { throw bad }
            rest = rest.dropFirst(letters.count)
            total += value * unit.1
        }
        guard total < 9.0e18 else { throw bad }
        nanoseconds = Int64(total)
    }

    public static func < (lhs: ComposeDuration, rhs: ComposeDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Go-style text: `1m30s`, `500ms`, `0s`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        var n = nanoseconds
        var out = ""
        if n % 1_000_000_000 != 0 {
            if n < 1_000_000_000 {
                if n % 1_000_000 == 0 { return "\(n / 1_000_000)ms" }
                if n % 1000 == 0 { return "\(n / 1000)us" }
                return "\(n)ns"
            }
            let seconds = Double(n) / 1e9
            return "\(seconds)s"
        }
        n /= 1_000_000_000
        if n >= 3600 { out += "\(n / 3600)h"; n %= 3600 }
        if n >= 60 { out += "\(n / 60)m"; n %= 60 }
        if n > 0 { out += "\(n)s" }
        return out
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }
}
