public import BosunFailure
public import BosunGit
import BosunModel
public import BosunTrust
public import Foundation

/// The verify step of the convergence cycle: the commit to converge (and any past commit read for a
/// rollback or a quarantined project) must carry a good signature under the policy, checked on the resolved
/// commit id whose tree is then read. The allowed-signers file is read at each check. A key's validity window
/// is checked at the committer time (as git does) and at the time this state directory first saw the commit
/// (`<state>/git/first-seen.json`), so a commit made to look old is refused once its key has expired.
public struct CommitSignatureCheck: Sendable {
    public let policy: SignaturePolicy
    /// Where first-seen times are kept.
    let firstSeenFile: String
    let now: @Sendable () -> Date

    public init(policy: SignaturePolicy, stateDirectory: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        firstSeenFile = StateLayout(stateDirectory).gitFirstSeen
        self.now = now
    }

    /// Throws `SignatureRefusal` unless `commit`, read from `mirror`, may be converged; returns who signed it
    /// ("alice@example.org, ED25519 key SHA256:…"), nil when nothing is verified.
    @discardableResult
    public func check(_ commit: GitCommitID, in mirror: GitMirror) async throws -> String? {
        guard policy.mode != .off else { return nil }
        let verdict = try verdict(GitSignedObject(commit: try await mirror.rawCommit(commit)), commit: commit)
        guard verdict.isGood else { throw SignatureRefusal(commit: commit.hex, verdict: verdict, policy: policy) }
        return [verdict.principal, verdict.fingerprint.map { "key \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }

    /// `signatures: tag`: the annotated tag `ref` (`refs/tags/NAME`) must carry a good signature and point at
    /// `commit` itself (the commit whose tree is read). Returns who signed it.
    @discardableResult
    public func checkTag(_ ref: String, commit: GitCommitID, in mirror: GitMirror) async throws -> String? {
        guard ref.hasPrefix("refs/tags/") else {
            throw SignatureRefusal(commit: commit.hex, verdict: SignatureVerdict(.unsigned, reason: "\(ref) is not a tag"), policy: policy)
        }
        let name = String(ref.dropFirst("refs/tags/".count))
        func refuse(_ outcome: SignatureVerdict.Outcome, _ reason: String, fingerprint: String? = nil) -> SignatureRefusal {
            var refusal = SignatureRefusal(commit: commit.hex, verdict: SignatureVerdict(outcome, fingerprint: fingerprint, reason: reason), policy: policy)
            refusal.tag = name
            return refusal
        }
        guard let raw = try await mirror.rawTag(named: name) else {
            throw refuse(.unsigned, "tag \(name) is a lightweight tag: only annotated, signed tags are accepted")
        }
        let header = String(decoding: raw.prefix(200), as: UTF8.self).split(separator: "\n").prefix(2)
        guard header.first == "object \(commit.hex)", header.dropFirst().first == "type commit" else {
            throw refuse(.bad, "tag \(name) does not point at commit \(commit.hex.prefix(12)) itself")
        }
        let object = GitSignedObject(tag: raw)
        // A ref renamed onto another signed tag (v9.9.9 → the object of staging-1) is not that release.
        guard object.tagName == name else {
            throw refuse(.bad, "the ref tags/\(name) points at the tag object of \(object.tagName.map { "tag \($0)" } ?? "another tag")")
        }
        var verdict = try verdict(object, commit: commit, seenKey: "tag:\(name):\(commit.hex)")
        if verdict.outcome == .unsigned { verdict.reason = "tag \(name) is not signed" }
        guard verdict.isGood else { throw refuse(verdict.outcome, verdict.reason, fingerprint: verdict.fingerprint) }
        return [verdict.principal, verdict.fingerprint.map { "key \($0)" }, "tag \(name)"].compactMap { $0 }.joined(separator: ", ")
    }

    /// `signatures: tag` for a past commit (a rollback's, a quarantined project's): an annotated tag pointing at
    /// it must carry a good signature. Returns who signed it.
    public func checkTagged(_ commit: GitCommitID, in mirror: GitMirror) async throws -> String? {
        var refusal: (any Error)?
        for name in try await mirror.tagNames().sorted() {
            guard let raw = try await mirror.rawTag(named: name),
                  String(decoding: raw.prefix(48), as: UTF8.self).hasPrefix("object \(commit.hex)") else { continue }
            do { return try await checkTag("refs/tags/" + name, commit: commit, in: mirror) } catch { refusal = error }
        }
        throw refusal ?? SignatureRefusal(commit: commit.hex, verdict: SignatureVerdict(.unsigned, reason: "no annotated tag points at it"), policy: policy)
    }

    /// The verdict on one commit object under the policy: an OpenPGP signature through `gpgv` and the keyring,
    /// an SSH one (or none) against the allowed-signers file.
    /// `seenKey` names what first-seen time is kept for (the commit; a tag and its commit for tags).
    public func verdict(_ object: GitSignedObject, commit: GitCommitID, seenKey: String? = nil) throws -> SignatureVerdict {
        if object.signature?.hasPrefix("-----BEGIN PGP SIGNATURE-----") == true {
            guard let keyring = policy.gpgKeyring else {
                return SignatureVerdict(.unknownKey, reason: "it carries an OpenPGP signature and no gpg_keyring is configured")
            }
            return try OpenPGPVerification.verdict(object, keyring: keyring, principal: policy.principal)
        }
        guard let path = policy.allowedSigners else {
            return object.signature == nil ? SignatureVerdict(.unsigned, reason: "the commit is not signed")
                : SignatureVerdict(.unknownKey, reason: "it carries an SSH signature and no allowed_signers file is configured")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SignatureRefusal(commit: commit.hex, verdict: SignatureVerdict(.notAllowed, reason: "the allowed-signers file \(path) cannot be read"),
                                   policy: policy)
        }
        let signers = try AllowedSigners(text: text, name: path)
        return SSHSignatureVerifier(signers: signers, principal: policy.principal).verify(object, alsoAt: [firstSeen(seenKey ?? commit.hex)])
    }

    /// When this state directory first saw `key` (a commit id, or a tag and its commit) (now, recorded, when never).
    func firstSeen(_ key: String) -> Date {
        var seen = (FileManager.default.contents(atPath: firstSeenFile)).flatMap { try? JSONDecoder().decode([String: Double].self, from: $0) } ?? [:]
        if let time = seen[key] { return Date(timeIntervalSince1970: time) }
        let time = now()
        seen[key] = time.timeIntervalSince1970
        if let encoded = try? JSONEncoder().encode(seen) {
            let temporary = firstSeenFile + ".tmp"
            if FileManager.default.createFile(atPath: temporary, contents: encoded, attributes: [.posixPermissions: 0o600]) {
                _ = rename(temporary, firstSeenFile)
            }
        }
        return time
    }
}

/// A commit the signature policy refuses: nothing of it is converged; the cycle journals it as rejected.
public struct SignatureRefusal: Error, Sendable, CustomStringConvertible {
    public var commit: String
    public var verdict: SignatureVerdict
    public var policy: SignaturePolicy
    /// The tag whose signature was checked (`signatures: tag`).
    public var tag: String?

    public init(commit: String, verdict: SignatureVerdict, policy: SignaturePolicy) {
        self.commit = commit
        self.verdict = verdict
        self.policy = policy
    }

    public var description: String {
        let key = verdict.fingerprint.map { " (key \($0))" } ?? ""
        let what = tag.map { "tag \($0) (commit \(commit.prefix(12)))" } ?? "commit \(commit.prefix(12))"
        let keys = [policy.allowedSigners, policy.gpgKeyring].compactMap { $0 }.joined(separator: " or ")
        return "\(what) is refused by the signature policy (verify: signatures: \(policy.mode.rawValue)): \(verdict.reason)\(key)"
            + "; nothing was converged (hint: sign the \(tag == nil ? "commit" : "tag") with a key listed in \(keys.isEmpty ? "the allowed signers" : keys), or add the key there)"
    }
}

extension SignatureRefusal: FailureDescribing {
    /// A refused commit is converged only once it is signed (or the signers changed).
    public var failure: Failure {
        Failure(action: "verify \(tag.map { "tag \($0)" } ?? "commit \(commit.prefix(12))")", cause: verdict.reason,
                hint: "sign it with a key listed in \([policy.allowedSigners, policy.gpgKeyring].compactMap { $0 }.joined(separator: " or "))",
                handling: .fixInput)
    }
}
