/// The body of a `quarantine` record: a project's desired state that failed its health gate (or that
/// `bosun rollback` moved away from), held back by its hash. While the project's desired state in git hashes
/// the same, every convergence — poll, webhook, drift, startup, apply — converges it from `servingCommitID`
/// instead; a `release` record ends it (docs/journal-format.md).
public struct QuarantineRecord: Sendable, Hashable, Codable {
    /// Why the project is held.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// A service of the project failed its health gate.
        case gate
        /// `bosun rollback` returned the project to an earlier commit and pins it there.
        case rollback
    }

    public var project: String
    /// `ConfigHash.of(project)` of the desired state held back.
    public var hash: String
    /// The commit whose desired state is held back.
    public var commitID: String?
    /// The commit the project is converged from instead; nil when there is none (the project's first
    /// convergence failed): it is left as it is, and not retried.
    public var servingCommitID: String?
    public var cause: Cause
    /// The begin record of the convergence whose gate failed.
    public var failedSeq: Int64?
    /// "health gate failed: shop/web (healthy): …", or who asked.
    public var reason: String

    public init(project: String, hash: String, commitID: String?, servingCommitID: String?, cause: Cause, failedSeq: Int64?, reason: String) {
        self.project = project
        self.hash = hash
        self.commitID = commitID
        self.servingCommitID = servingCommitID
        self.cause = cause
        self.failedSeq = failedSeq
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case project, hash, commitID = "commit_id", servingCommitID = "serving_commit_id", cause, failedSeq = "failed_seq", reason
    }
}

/// The body of a `release` record: a quarantine ends and the project's desired state in git is converged again.
public struct QuarantineRelease: Sendable, Hashable, Codable {
    /// Why it ended.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// The project's desired state in git changed (or the project left it).
        case changed
        /// `bosun sync --retry` or `bosun apply --retry` asked to try the held desired state again.
        case retry
    }

    public var project: String
    /// The hash that was held back.
    public var hash: String
    public var cause: Cause

    public init(project: String, hash: String, cause: Cause) {
        self.project = project
        self.hash = hash
        self.cause = cause
    }
}
