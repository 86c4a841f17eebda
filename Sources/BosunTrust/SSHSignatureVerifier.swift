public import Foundation

/// Verifies git's SSH signatures (`gpg.format=ssh`) against an allowed-signers file, as `git verify-commit`
/// with `gpg.ssh.allowedSignersFile` does — the signature over the object without it, in the `git`
/// namespace, by a key an entry lists, inside the entry's validity at the signer's time — and, by default,
/// stricter: the entry's principals must match the committer's email (`PrincipalRule.committer`), where git
/// accepts any entry of the key.
public struct SSHSignatureVerifier: Sendable {
    /// Whose key may sign a commit.
    public enum PrincipalRule: String, Sendable, Hashable, Codable {
        /// An entry of the key whose principals match the committer's (tagger's) email.
        case committer
        /// Any entry of the key (git's rule).
        case any
    }

    public var signers: AllowedSigners
    public var principal: PrincipalRule

    public init(signers: AllowedSigners, principal: PrincipalRule = .committer) {
        self.signers = signers
        self.principal = principal
    }

    /// The verdict on `object`, whose validity windows are checked at the signer's time and at each of
    /// `alsoAt` (the time bosun first saw the commit): every one of them must be inside.
    public func verify(_ object: GitSignedObject, alsoAt: [Date] = []) -> SignatureVerdict {
        guard let armored = object.signature else { return SignatureVerdict(.unsigned, reason: "the commit is not signed") }
        let signature: SSHSignature
        do { signature = try SSHSignature(armored: armored) } catch {
            return SignatureVerdict(.bad, reason: "its signature cannot be read: \(error.message)")
        }
        let key = signature.publicKey
        let described = "\(Self.kindName(key.type)) key \(key.fingerprint)"
        let entries = signers.entries.filter { $0.key == key }
        guard !entries.isEmpty else {
            let skipped = signers.skipped.isEmpty ? "" : " (lines skipped as unsupported: \(signers.skipped.joined(separator: "; ")))"
            return SignatureVerdict(.unknownKey, fingerprint: key.fingerprint, reason: "it is signed with \(described), which no allowed signer has\(skipped)")
        }
        do {
            guard try signature.isValid(for: object.payload, namespace: "git") else {
                return SignatureVerdict(.bad, fingerprint: key.fingerprint, reason: "its signature by \(described) does not match its content")
            }
        } catch {
            return SignatureVerdict(.bad, fingerprint: key.fingerprint, reason: "its signature by \(described) is not valid: \(error.message)")
        }
        let email = object.signerEmail ?? ""
        var refusals: [String] = []
        for entry in entries {
            guard entry.allows(namespace: "git") else {
                refusals.append("line \(entry.line) allows the key only for \(entry.namespaces?.joined(separator: ",") ?? "")")
                continue
            }
            guard principal == .any || entry.matches(principal: email) else {
                refusals.append("line \(entry.line) lists the key for \(entry.principals.joined(separator: ",")), not the committer \(email)")
                continue
            }
            let times = (object.signerTime.map { [$0] } ?? []) + alsoAt
            if let outside = times.lazy.compactMap({ entry.outsideValidity(at: $0) }).first {
                refusals.append("line \(entry.line): \(outside)")
                continue
            }
            let name = principal == .committer ? email : entry.principals.joined(separator: ",")
            return SignatureVerdict(.good, fingerprint: key.fingerprint, principal: name, reason: "good signature of \(name) with \(described)")
        }
        return SignatureVerdict(.notAllowed, fingerprint: key.fingerprint,
                                reason: "it is signed with \(described), which may not sign it here: " + refusals.joined(separator: "; "))
    }

    static func kindName(_ type: String) -> String {
        switch type {
        case "ssh-ed25519": "ED25519"
        case "ssh-rsa": "RSA"
        default: "ECDSA"
        }
    }
}
