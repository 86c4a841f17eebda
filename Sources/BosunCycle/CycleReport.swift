public import BosunFailure
public import BosunConverge
public import BosunManifest
public import BosunModel
public import BosunPlanner
public import BosunJournal

/// What one run of the cycle did, for the caller to print, log or answer with.
public struct CycleReport: Sendable {
    /// How it ended.
    public enum Outcome: Sendable {
        /// The source could not be read (forge down, credentials refused, a rewind); nothing touched.
        case sourceUnavailable(String)
        /// Refused at `step` (manifests, policy, source ownership, signature): journaled — except a plan hash
        /// that no longer matches (step `plan`) — and nothing touched.
        case rejected(CycleStep, String)
        /// A poll or webhook found the commit (or directory state) already converged: nothing planned.
        case unchanged
        /// `plan` mode: what converging would do.
        case planned(ObservedState, Plan)
        /// The convergence ran (any outcome: see `result.outcome`).
        case converged(Convergence.Result)
        /// A host error at `step` (the lock, the journal, observing): nothing planned ran.
        case failed(CycleStep, String)
    }

    public var outcome: Outcome
    public var origin: SourceOrigin
    public var revision: SourceRevision?
    /// The manifests' load result (warnings too), when the source was read.
    public var loaded: ManifestLoadResult?
    public var desired: DesiredState?
    /// `ConfigHash.of(desired)`.
    public var stateHash: String?
    /// The begin record of what was journaled, if anything.
    public var journalSeq: Int64?
    /// The source the state directory was taken over from (a switch), when this run converged one.
    public var switchedFrom: SourceOrigin?
    /// Shown with the plan when the source is not the state directory's (plan mode only refuses nothing).
    public var warnings: [String] = []
    /// The failure behind `.sourceUnavailable` and `.failed`, in the leaf error model: its handling says
    /// whether the next poll may succeed as it is (`retry`) or someone must change the input or the host.
    public var failure: Failure?
    /// The quarantines applied to the desired state (and released), when the source was loaded.
    public var held: HeldDesiredState?
    /// What followed a convergence whose health gate failed (quarantine, rollback).
    public var rollback: RollbackReport?

    /// How a convergence ended, the rollback's outcome when one ran: `rolled-back` says the failed projects
    /// serve their last good state again. Nil when nothing was converged.
    public var finalOutcome: ConvergenceOutcome? {
        guard case .converged(let result) = outcome else { return nil }
        return rollback?.result?.outcome ?? result.outcome
    }

    /// The commit, when from git.
    public var commitID: String? { revision?.commitID }
}
