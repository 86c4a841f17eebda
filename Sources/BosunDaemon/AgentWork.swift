public import BosunJournal
public import BosunModel

/// What the agent's loop asks of the rest of bosun. The real implementation fetches, plans and applies; tests
/// use a recording one. Each call may be cancelled when the agent stops: it must then finish or safely abandon
/// the operation in flight and journal the outcome.
public protocol AgentWork: Sendable {
    /// Fetches the desired state, plans and applies it; journals begin and end.
    func converge(trigger: ConvergenceTrigger) async -> AgentReport
    /// Compares the live state with the last applied desired state: restarts containers per their restart
    /// policy, corrects drift in enforce mode, reports it in observe mode. Nil when nothing needed attention.
    func checkDrift() async -> AgentReport?
    /// Applies restart policies: notices containers that exited or turned unhealthy and restarts them (with
    /// backoff) or leaves them stopped. Runs often, so it must be cheap when nothing happened.
    func supervise() async
    /// The state `bosun status` shows through the control socket.
    func status() async -> JSONValue
}

extension AgentWork {
    /// No supervision by default.
    public func supervise() async {}
}

/// The outcome of one convergence or drift check, as the loop logs it and systemd's STATUS shows it.
public struct AgentReport: Sendable, Hashable {
    public var commit: String?
    public var outcome: String
    /// A one-line summary (`3 operations, 0 failed`).
    public var summary: String
    public var failed: Bool
    /// The same refusal as the last one the agent logged (a rejected commit at the next polls): not logged again.
    public var repeated = false

    public init(commit: String?, outcome: String, summary: String, failed: Bool) {
        self.commit = commit
        self.outcome = outcome
        self.summary = summary
        self.failed = failed
    }

    /// `converged abc123456789`: systemd's STATUS line.
    public var statusLine: String { "\(outcome) \(commit.map { String($0.prefix(12)) } ?? "")" }

    /// `commit=abc1234 outcome=converged summary="…"`, one line for journald.
    public var logFields: String {
        "commit=\(commit.map { String($0.prefix(12)) } ?? "-") outcome=\(outcome) summary=\"\(summary)\""
    }
}
