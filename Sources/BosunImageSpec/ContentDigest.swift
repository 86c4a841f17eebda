public import BosunFailure

/// A validated content digest, `sha256:` and 64 lower-case hex digits (or `sha512:` and 128).
public struct ContentDigest: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let algorithm: String
    public let hex: String

    public init(parsing text: String) throws(ImageSpecError) {
        guard let colon = text.firstIndex(of: ":") else { throw .invalid("digest \"\(text)\" must be algorithm:hex") }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        let length: Int
        switch algorithm {
        case "sha256": length = 64
        case "sha512": length = 128
        default: throw .invalid("digest algorithm \"\(algorithm)\" is not supported")
        }
        guard hex.count == length, hex.allSatisfy({ ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "f") }) else {
            throw .invalid("digest \"\(text)\" must have \(length) lower-case hex digits")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    public var description: String { "\(algorithm):\(hex)" }
    /// A short form for messages: `sha256:1a2b3c4d5e6f`.
    public var short: String { "\(algorithm):\(hex.prefix(12))" }

    public static func < (lhs: ContentDigest, rhs: ContentDigest) -> Bool { lhs.description < rhs.description }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try ContentDigest(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
}

/// An image document that does not fit the OCI image or Docker specifications.
public enum ImageSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalid(let message), .unsupported(let message): return message
        }
    }
}

extension ImageSpecError: FailureDescribing {
    public var failure: Failure { Failure(action: "read an image document", cause: description, handling: .fixInput) }
}
