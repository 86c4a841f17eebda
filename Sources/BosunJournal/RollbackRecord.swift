/// The body of a `rollback` record, written before the convergence (trigger `rollback`) that returns
/// projects to an earlier desired state: after a failed health gate, or asked with `bosun rollback`.
public struct RollbackRecord: Sendable, Hashable, Codable {
    /// The begin record of the convergence being undone; nil for `bosun rollback`.
    public var failedSeq: Int64?
    /// The commit the projects leave.
    public var fromCommitID: String?
    /// Project → the commit whose desired state it returns to.
    public var projects: [String: String]
    /// Why: the failed gates, or who asked.
    public var reason: String

    public init(failedSeq: Int64?, fromCommitID: String?, projects: [String: String], reason: String) {
        self.failedSeq = failedSeq
        self.fromCommitID = fromCommitID
        self.projects = projects
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case failedSeq = "failed_seq", fromCommitID = "from_commit_id", projects, reason
    }
}
