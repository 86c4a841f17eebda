public import BosunGit
public import BosunTrust

/// Where desired state comes from: a git repository (URL or local path) at a ref, or a plain directory.
public struct SourceSpec: Sendable {
    /// A git URL or the path of a local repository; nil reads `path` as a plain directory.
    public var repository: String?
    /// A branch, tag or commit id; nil takes the remote's default branch.
    public var ref: String?
    /// A directory in the repository (or on disk) holding one project or a directory of projects.
    public var path: String
    public var access: GitAccess
    /// The commit last applied from this source; a ref that moves to a commit not descending from it is
    /// refused (a force-push or rewind) unless `allowRewind` is set.
    public var lastApplied: GitCommitID?
    public var allowRewind: Bool
    /// What a commit must carry to be converged (the verify step).
    public var signatures: SignaturePolicy

    public init(repository: String? = nil, ref: String? = nil, path: String = ".", access: GitAccess = GitAccess(),
                lastApplied: GitCommitID? = nil, allowRewind: Bool = false, signatures: SignaturePolicy = .off) {
        self.signatures = signatures
        self.repository = repository
        self.ref = ref
        self.path = path
        self.access = access
        self.lastApplied = lastApplied
        self.allowRewind = allowRewind
    }
}
