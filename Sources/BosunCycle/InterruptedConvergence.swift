public import BosunJournal

/// A convergence whose process stopped between its `begin` and its `end` (killed, crashed, lost power): ended as
/// `interrupted` by the next process that holds the lock (the agent at start, `apply`), which then gates again
/// the containers it created or recreated — a commit killed in the middle of its gate is not taken as good.
public struct InterruptedConvergence: Sendable, Hashable {
    /// Its begin record.
    public var seq: Int64
    /// `project/service` of each container it created or recreated (the next convergence gates them).
    public var gated: [String]

    /// The `end`'s reason.
    public static let reason = "the process running it stopped before it ended (killed, crashed or lost power); the next convergence resumes it and gates again what it created"

    /// Ends the journal's open convergence, if there is one, as `interrupted` with `reason`, and says what it
    /// was doing. Call with the convergence lock held (or before anything else runs: the agent at start).
    public static func end(in journal: Journal, reason: String) throws -> InterruptedConvergence? {
        guard let open = journal.openConvergence else { return nil }
        let begin = try? journal.record(seq: open)?.body.decode(ConvergenceBegin.self)
        let gated = (begin?.operations ?? []).filter { ["create", "recreate"].contains($0.kind) }.map(\.resource)
        try journal.end(ConvergenceEnd(beginSeq: open, outcome: .interrupted, reason: reason, durationMilliseconds: 0))
        return InterruptedConvergence(seq: open, gated: gated)
    }
}
