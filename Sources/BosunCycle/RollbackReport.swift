public import BosunConverge
public import BosunJournal
public import BosunModel
public import BosunFailure

/// What the cycle did after a convergence whose health gate failed, for the projects whose
/// `failure_action` is `rollback`: quarantined their failed desired state and converged them back to their
/// last good commit (a `rollback` convergence, gated with `rollback_config`) — or why it could not.
public struct RollbackReport: Sendable {
    /// The projects with a failed gate and `failure_action: rollback`.
    public var projects: [String]
    /// The quarantines journaled, one per project held back.
    public var quarantined: [QuarantineRecord] = []
    /// The `rollback` record, when projects had a good state to return to.
    public var record: RollbackRecord?
    /// The rollback convergence (outcome `rolled-back` when it converged and its gates passed).
    public var result: Convergence.Result?
    /// The desired state the rollback converged to: the failed one with the projects rolled back.
    public var desired: DesiredState?
    /// Projects left as they failed, and why ("no earlier good state").
    public var notes: [String] = []
    /// Why the rollback could not run (a directory source, a commit that cannot be read); nil otherwise.
    public var problem: String?

    public init(projects: [String]) {
        self.projects = projects
    }

    /// One line: "rolled back shop to 1a2b3c4d5e6f (journal #12)", "shop quarantined, left as it failed", or the problem.
    public var summary: String {
        if let problem { return "not rolled back: \(problem)" }
        guard let result, let record else { return projects.joined(separator: ", ") + " quarantined, left as it failed" }
        let targets = record.projects.sorted { $0.key < $1.key }.map { "\($0.key) to \($0.value.prefix(12))" }.joined(separator: ", ")
        return (rolledBack ? "rolled back " : "rollback \(result.outcome.rawValue): ") + targets + (result.beginSeq.map { " (journal #\($0))" } ?? "")
    }

    /// Whether the failed projects serve their last good state again.
    public var rolledBack: Bool { result?.outcome == .rolledBack }
}

/// A quarantined or rolled-back project's earlier desired state could not be read.
public struct RollbackError: Error, Sendable, CustomStringConvertible {
    public var project: String
    public var commitID: String
    public var cause: String
    /// The commit failed the verify step (its signature).
    public var untrusted = false

    public init(project: String, commitID: String, cause: String) {
        self.project = project
        self.commitID = commitID
        self.cause = cause
    }

    public var description: String {
        "cannot read the desired state of project \(project) at commit \(commitID.prefix(12)): \(cause)"
    }
}

extension RollbackError: FailureDescribing {
    public var failure: Failure {
        Failure(action: "read the desired state of project \(project) at commit \(commitID.prefix(12))", cause: cause,
                hint: "run bosun sync --retry (or bosun apply --retry) to converge the project's desired state in git instead",
                handling: .fixInput)
    }
}
