/// What verifying one commit's (or tag's) signature found, for the journal, `status` and the agent's log.
public struct SignatureVerdict: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Signed by an allowed signer, in the git namespace, inside the key's validity.
        case good
        case unsigned
        /// A signature whose key no allowed signer has.
        case unknownKey = "unknown-key"
        /// The signature does not match the object (tampered, or made for other bytes), or cannot be read.
        case bad
        /// A known key, but not allowed here: another principal, another namespace, outside its validity.
        case notAllowed = "not-allowed"
    }

    public var outcome: Outcome
    /// The signing key's fingerprint (`SHA256:…` for SSH keys, the OpenPGP fingerprint), when there was a signature.
    public var fingerprint: String?
    /// The allowed signer's principal that matched, for a good signature.
    public var principal: String?
    /// In words: "good signature of alice@example.org with ED25519 key SHA256:…", or why not.
    public var reason: String

    public init(_ outcome: Outcome, fingerprint: String? = nil, principal: String? = nil, reason: String) {
        self.outcome = outcome
        self.fingerprint = fingerprint
        self.principal = principal
        self.reason = reason
    }

    public var isGood: Bool { outcome == .good }
}
