/// What a commit must carry to be converged (agent config `verify: {signatures, allowed_signers, principal}`,
/// `--verify-signatures`, `--allowed-signers`, `--signature-principal`).
public struct SignaturePolicy: Sendable, Hashable, Codable {
    /// How much is verified, from least to most.
    public enum Mode: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
        /// Nothing is verified.
        case off
        /// The commit to converge carries a good signature of an allowed signer.
        case tip
        /// `ref:` names an annotated tag (or a pattern: the newest by SemVer precedence) whose tag object carries
        /// a good signature of an allowed signer; lightweight tags are refused.
        case tag

        public static func < (a: Mode, b: Mode) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var mode: Mode
    /// git's allowed-signers file (SSH signatures); read at every verification, so an edit applies at the next poll.
    public var allowedSigners: String?
    public var principal: SSHSignatureVerifier.PrincipalRule
    /// A keyring file (`gpg --export`) for OpenPGP signatures, verified by Debian's `gpgv`.
    public var gpgKeyring: String?

    public init(mode: Mode = .off, allowedSigners: String? = nil, principal: SSHSignatureVerifier.PrincipalRule = .committer,
                gpgKeyring: String? = nil) {
        self.mode = mode
        self.allowedSigners = allowedSigners
        self.principal = principal
        self.gpgKeyring = gpgKeyring
    }

    public static let off = SignaturePolicy()

    /// Nil when the policy can be used; otherwise what is missing, in words.
    public var problem: String? {
        mode != .off && allowedSigners == nil && gpgKeyring == nil
            ? "signatures: \(mode.rawValue) needs allowed_signers (git's allowed-signers file, for SSH signatures) or gpg_keyring (for OpenPGP ones)" : nil
    }

    /// "tip, allowed signers /etc/bosun/allowed_signers, principal committer", for messages.
    public var summary: String {
        mode == .off ? "off" : "\(mode.rawValue), allowed signers \(allowedSigners ?? "-"), principal \(principal.rawValue)"
            + (gpgKeyring.map { ", gpg keyring \($0)" } ?? "")
    }
}
