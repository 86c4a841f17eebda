/// Why a signature, a key or an allowed-signers file could not be used: one sentence, lower case.
public struct TrustError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
