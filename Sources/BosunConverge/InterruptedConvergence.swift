public import BosunJournal

/// A convergence whose process stopped between its `begin` and its `end` (killed, crashed, lost power): ended as
/// `interrupted` by the next convergence under the lock (`Convergence` does it before its first record), and the
/// containers it created or recreated are gated again by the next one that runs (the applied index's
/// `owedGates`) — a commit killed in the middle of its gate is not taken as good.
public struct InterruptedConvergence: Sendable, Hashable {
    /// Its begin record.
    public var seq: Int64
    /// `project/service` of each container it created or recreated (the next convergence gates them).
    public var gated: [String]

    /// The `end`'s reason.
    public static let reason = "the process running it stopped before it ended (killed, crashed or lost power); the next convergence resumes it and gates again what it created"

    /// The journal's open convergence, if there is one, and what it was creating (read only: the agent logs it
    /// at start).
    public static func open(in journal: Journal) -> InterruptedConvergence? {
        guard let open = journal.openConvergence else { return nil }
        let begin = try? journal.record(seq: open)?.body.decode(ConvergenceBegin.self)
        return InterruptedConvergence(seq: open, gated: (begin?.operations ?? []).filter { ["create", "recreate", "restore"].contains($0.kind) }.map(\.resource))
    }

    /// Ends the journal's open convergence, if there is one, as `interrupted`. Call with the convergence lock held.
    public static func end(in journal: Journal) throws {
        guard let open = journal.openConvergence else { return }
        try journal.end(ConvergenceEnd(beginSeq: open, outcome: .interrupted, reason: reason, durationMilliseconds: 0))
    }
}
