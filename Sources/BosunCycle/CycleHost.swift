public import BosunGit
public import BosunSource
import BosunTrust

/// The host effects a cycle needs besides its engine: the convergence lock, and putting a commit's files
/// where containers bind them. `HostCycleHost` (BosunCLI) is the real one; tests use `RecordingCycleHost`.
public protocol CycleHost: Sendable {
    /// Waits for and takes the state directory's convergence lock.
    func lock() async throws -> any CycleLock
    /// Makes the files of `opened` available to the containers about to be made from it, and those of `others`
    /// (the commits quarantined or rolled-back projects are read from) for their projects' containers.
    func publish(_ opened: SourceReader.Opened, alongside others: [SourceReader.Opened]) throws
}

/// A held convergence lock.
public protocol CycleLock: Sendable {
    func release()
}

/// Decides whether the commit to converge is trusted (the trust issue's signature check). Throwing refuses it.
public protocol RevisionVerifier: Sendable {
    /// Throws when the commit may not be converged; returns who signed it, for the journal. `past`: a commit read
    /// for a rollback or a quarantined project, not the one the ref names.
    func verify(_ opened: SourceReader.Opened, past: Bool) async throws -> String?
}

/// The verify step under a signature policy: the opened commit, by the id its tree was read from, must carry
/// a good signature (`CommitSignatureCheck`).
public struct CommitSignatureVerification: RevisionVerifier {
    public let check: CommitSignatureCheck
    public let mirror: GitMirror

    public init(check: CommitSignatureCheck, mirror: GitMirror) {
        self.check = check
        self.mirror = mirror
    }

    /// Under `signatures: tag` the ref's tag must be signed; a past commit passes through any signed tag pointing at it.
    public func verify(_ opened: SourceReader.Opened, past: Bool) async throws -> String? {
        guard let id = opened.revision?.commitID, let commit = GitCommitID(id) else {
            throw TrustError("a directory has no commit to verify: verify: signatures needs a repository source")
        }
        guard check.policy.mode == .tag else { return try await check.check(commit, in: mirror) }
        if past { return try await check.checkTagged(commit, in: mirror) }
        return try await check.checkTag(opened.revision?.ref ?? "", commit: commit, in: mirror)
    }
}
