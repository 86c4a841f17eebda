public import BosunFailure

/// Why a signature, a key or an allowed-signers file could not be used: one sentence, lower case.
public struct TrustError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension TrustError: FailureDescribing {
    /// A key, a signature or a signers file that cannot be used stays so until someone changes it.
    public var failure: Failure { Failure(action: "verify a signature", cause: message, handling: .fixInput) }
}
