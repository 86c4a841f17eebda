public import BosunConverge
public import BosunModel
public import BosunPlanner
public import BosunJournal

/// The lock → observe → plan → converge → record steps of the cycle for desired state already known and a
/// plan the caller makes from the observation: `down` (the projects emptied) and the agent's drift
/// corrections (only the drifted resources).
public struct LockedConvergence {
    public var convergence: Convergence
    public let host: any CycleHost

    public init(convergence: Convergence, host: any CycleHost) {
        self.convergence = convergence
        self.host = host
    }

    /// Takes the lock, catches the journal up, sweeps what an interrupted convergence left (when `sweep`),
    /// observes, plans with `makePlan` and executes. Nil when the plan is empty and nothing was swept.
    public func run(_ desired: DesiredState, revision: SourceRevision?, trigger: ConvergenceTrigger, sweep: Bool = false,
                    plan makePlan: (ObservedState) -> (ObservedState, Plan)) async throws -> Convergence.Result? {
        let lock = try await host.lock()
        defer { lock.release() }
        try convergence.journal.catchUp()
        let swept = sweep ? try await convergence.sweep() : []
        let (observed, plan) = makePlan(try await convergence.engine.observe())
        guard !plan.isEmpty || !swept.isEmpty || sweep else { return nil }
        var result = try await convergence.execute(plan, desired: desired, observed: observed, source: revision, trigger: trigger)
        result.swept = swept
        return result
    }
}
