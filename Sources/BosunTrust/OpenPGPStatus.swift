/// The verdict on an OpenPGP signature from what Debian's `gpgv --status-fd` printed (the machine-readable
/// status lines, never the human text): what git itself runs for `gpg.format=openpgp`.
public enum OpenPGPStatus {
    /// `status` is gpgv's status output; `signerEmail` the committer's (tagger's) email, which under
    /// `PrincipalRule.committer` the signing key's user id must carry.
    public static func verdict(status: String, signerEmail: String?, principal: SSHSignatureVerifier.PrincipalRule) -> SignatureVerdict {
        var fields: [String: [String]] = [:]
        var counts: [String: Int] = [:]
        for line in status.split(separator: "\n") where line.hasPrefix("[GNUPG:] ") {
            let parts = line.dropFirst("[GNUPG:] ".count).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let keyword = parts.first else { continue }
            counts[keyword, default: 0] += 1
            if fields[keyword] == nil { fields[keyword] = Array(parts.dropFirst()) }
        }
        // As git: exactly one signature, and a detached one (PLAINTEXT means the "signature" carried the data).
        let verdicts = ["GOODSIG", "BADSIG", "ERRSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG"].reduce(0) { $0 + (counts[$1] ?? 0) }
        if verdicts > 1 || (counts["NEWSIG"] ?? 0) > 1 {
            return SignatureVerdict(.bad, reason: "it carries more than one OpenPGP signature")
        }
        if fields["PLAINTEXT"] != nil {
            return SignatureVerdict(.bad, reason: "its OpenPGP signature is not a detached signature")
        }
        // VALIDSIG's last field is the primary key's fingerprint; ERRSIG's (when present) the signing key's.
        let fingerprint = fields["VALIDSIG"]?.last ?? fields["ERRSIG"].flatMap { $0.count >= 7 ? $0.last : $0.first }
        let described = "OpenPGP key \(fingerprint ?? "?")"
        if fields["BADSIG"] != nil {
            return SignatureVerdict(.bad, fingerprint: fingerprint ?? fields["BADSIG"]?.first, reason: "its OpenPGP signature does not match its content")
        }
        if fields["NO_PUBKEY"] != nil || fields["ERRSIG"] != nil {
            return SignatureVerdict(.unknownKey, fingerprint: fingerprint,
                                    reason: "it is signed with \(described), which the keyring does not have")
        }
        if let expired = fields["EXPKEYSIG"] {
            return SignatureVerdict(.notAllowed, fingerprint: fingerprint ?? expired.first, reason: "it is signed with \(described), which has expired")
        }
        if let revoked = fields["REVKEYSIG"] {
            return SignatureVerdict(.notAllowed, fingerprint: fingerprint ?? revoked.first, reason: "it is signed with \(described), which is revoked")
        }
        if fields["EXPSIG"] != nil {
            return SignatureVerdict(.notAllowed, fingerprint: fingerprint, reason: "its OpenPGP signature by \(described) has expired")
        }
        guard let good = fields["GOODSIG"], fields["VALIDSIG"] != nil else {
            return SignatureVerdict(.bad, fingerprint: fingerprint, reason: "gpgv found no valid signature")
        }
        let userID = good.dropFirst().joined(separator: " ")
        if principal == .committer {
            let email = signerEmail ?? ""
            guard userID.lowercased().contains("<\(email.lowercased())>") else {
                return SignatureVerdict(.notAllowed, fingerprint: fingerprint,
                                        reason: "it is signed with \(described) of \(userID), not of the committer \(email)")
            }
            return SignatureVerdict(.good, fingerprint: fingerprint, principal: email, reason: "good signature of \(email) with \(described)")
        }
        return SignatureVerdict(.good, fingerprint: fingerprint, principal: userID, reason: "good signature of \(userID) with \(described)")
    }
}
