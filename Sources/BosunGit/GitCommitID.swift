/// A full commit id in hex (40 digits for SHA-1 repositories), validated on construction.
public struct GitCommitID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The lower-case hex digits.
    public let hex: String

    /// Accepts 40 (SHA-1) or 64 (SHA-256) hex digits; nil otherwise.
    public init?(_ hex: String) {
        let lower = hex.lowercased()
        guard lower.count == 40 || lower.count == 64, lower.allSatisfy(\.isHexDigit) else { return nil }
        self.hex = lower
    }

    /// The first seven digits, as git shows abbreviated ids.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }
}
