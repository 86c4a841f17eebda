public import BosunJournal
public import BosunModel
public import BosunPlanner

/// One convergence, observe → plan → execute, journaled: a begin record before the first operation and an
/// end record after the last. Desired state that does not load is journaled as `rejected` and changes
/// nothing. A poll that finds nothing to do only notes a check (no records, so idle polling stays small).
///
/// The journal is not thread-safe: give each convergence its own, or serialise them.
public struct Convergence {
    public var engine: any ConvergenceEngine
    public var journal: Journal
    public var redactor: SecretRedactor
    /// Milliseconds since the epoch.
    public var clock: @Sendable () -> Int64
    public var concurrency: Int
    public var conditionTimeout: Duration
    /// The host policy the desired state was loaded under, recorded in every begin record.
    public var policy: HostPolicy?
    /// Where the desired state came from, and the origin a source switch took the host from: recorded in
    /// every begin record.
    public var origin: SourceOrigin?
    public var switchedFrom: SourceOrigin?
    /// The gate step: the containers a convergence created or recreated, watched for their monitor
    /// (`HealthGate`); nil skips it (`down`, which creates nothing).
    public var gate: HealthGate?
    /// The projects whose desired state comes from another commit than the convergence's source (quarantined
    /// ones kept at their last good commit, a rollback's): recorded in the begin record.
    public var projectCommits: [String: String] = [:]
    /// Who signed the commit, as the verify step found it (the begin record's `signer`); nil when not verified.
    public var signer: String?
    /// The signature policy in force (the begin record's `verify`); nil when none.
    public var verification: String?
    /// Quarantines this convergence ends (its projects' desired state changed, or `--retry`): journaled once the
    /// plan is known to be the one asked for, before the begin.
    public var releases: [QuarantineRelease] = []

    public init(engine: any ConvergenceEngine, journal: Journal, redactor: SecretRedactor, clock: @escaping @Sendable () -> Int64,
                concurrency: Int = 8, conditionTimeout: Duration = .seconds(300)) {
        self.engine = engine
        self.journal = journal
        self.redactor = redactor
        self.clock = clock
        self.concurrency = concurrency
        self.conditionTimeout = conditionTimeout
        gate = HealthGate(engine: engine)
    }

    /// What a convergence did.
    public struct Result: Sendable {
        public var plan: Plan
        public var report: ExecutionReport
        public var outcome: ConvergenceOutcome
        /// The begin record's seq; nil when nothing was recorded (a poll with nothing to do).
        public var beginSeq: Int64?
        /// Why it ended as it did, when the end record gives a reason (a full state filesystem).
        public var reason: String?
        /// What an interrupted convergence left that was swept first (journaled as a `sweep` record).
        public var swept: [SweptContainer] = []
        /// The health gate of each container created or recreated (journaled as a `gate` record).
        public var gates: [GateResult] = []
    }

    /// The plan converging to `desired` would run now, from one observation of the host.
    public func plan(_ desired: DesiredState) async throws -> (ObservedState, Plan) {
        let observed = try await engine.observe()
        return (observed, Planner.plan(desired: desired, observed: observed))
    }

    /// Sweeps what an interrupted convergence left half created (journaled as a `sweep` record), observes,
    /// plans, refuses when `expectedPlanHash` is given and differs (before anything else is recorded), then
    /// executes and journals.
    public func converge(_ desired: DesiredState, source: SourceRevision?, trigger: ConvergenceTrigger,
                         expectedPlanHash: String? = nil) async throws -> Result {
        let swept = try await sweep()
        let (observed, plan) = try await plan(desired)
        if let expectedPlanHash, expectedPlanHash != plan.hash {
            throw ConvergeError("apply plan \(expectedPlanHash)", cause: "the plan is now \(plan.hash): the desired or the observed state changed since it was shown",
                                hint: "run bosun plan again and review it")
        }
        var result = try await execute(plan, desired: desired, observed: observed, source: source, trigger: trigger)
        result.swept = swept
        return result
    }

    /// Removes what an interrupted convergence left half created and journals what it found.
    public func sweep() async throws -> [SweptContainer] {
        try InterruptedConvergence.end(in: journal)
        let swept = await engine.sweepInterrupted()
        if !swept.isEmpty { try journal.append(.sweep, JSONValue.encoding(SweepNote(containers: swept))) }
        return swept
    }

    /// Executes a plan made from `observed`, journaling it.
    public func execute(_ plan: Plan, desired: DesiredState, observed: ObservedState, source: SourceRevision?,
                        trigger: ConvergenceTrigger) async throws -> Result {
        let started = clock()
        try InterruptedConvergence.end(in: journal)
        // Containers convergences ended interrupted created before a gate decided: gated by this one.
        let owed = Set(journal.index.owedGates)
        for release in releases { try journal.append(.release, JSONValue.encoding(release)) }
        if plan.isEmpty && trigger == .poll && owed.isEmpty {
            try journal.noteCheck(commitID: source?.commitID)
            return Result(plan: plan, report: ExecutionReport(outcomes: [], startedAt: started, endedAt: clock()), outcome: .noChange, beginSeq: nil)
        }
        var begin = ConvergenceRecord.begin(trigger: trigger, source: source, desired: desired, plan: plan, redactor: redactor)
        begin.policy = policy
        begin.origin = origin
        begin.switchedFrom = switchedFrom
        begin.projectHashes = Dictionary(desired.projects.map { ($0.name, ConfigHash.of($0)) }) { first, _ in first }
        begin.projectCommits = projectCommits.isEmpty ? nil : projectCommits
        begin.signer = signer
        begin.verify = verification
        let beginSeq = try journal.begin(begin)
        if journal.storage.isOnReserve {
            // The filesystem is full: the begin needed the journal's reserve. Record the failure and change nothing,
            // rather than run operations that would fail on the full disk and leave no room to record them.
            let reason = "the state filesystem is full (No space left on device): the journal wrote this record from its reserve; "
                + "nothing was changed; free space on the filesystem of the state directory"
            let report = ExecutionReport(outcomes: [], startedAt: started, endedAt: clock())
            try journal.end(ConvergenceEnd(beginSeq: beginSeq, outcome: .failed, reason: reason, durationMilliseconds: max(0, clock() - started)))
            return Result(plan: plan, report: report, outcome: .failed, beginSeq: beginSeq, reason: reason)
        }
        var executor = Executor(engine: engine, clock: clock, concurrency: concurrency, conditionTimeout: conditionTimeout)
        executor.rollback = trigger == .rollback
        // With gates, removals and volume prunes wait until every gate passed (`Plan.splitAtGates`).
        let (beforeGates, afterGates) = gate == nil ? (plan, Plan(operations: [])) : plan.splitAtGates
        var report = await executor.run(beforeGates, desired: desired, observed: observed)
        var digests: [String: String] = [:]
        for image in Set(desired.projects.flatMap { $0.services.map(\.image) }) {
            if let digest = await engine.imageDigest(image) { digests[image.description] = digest }
        }
        let gates = try await runGates(plan, desired: desired, report: report, beginSeq: beginSeq, rollback: trigger == .rollback, owed: owed)
        if !afterGates.isEmpty {
            let held = gates.first { !$0.passed }.map { "held: the health gate of \($0.resource) failed (removals and volume prunes wait until every gate passes)" }
                ?? (Task.isCancelled ? Executor.stoppedCause : nil)
            let removals = if let held {
                ExecutionReport(outcomes: afterGates.operations.map { OperationOutcome(id: $0.id, status: .skipped(held)) }, startedAt: clock(), endedAt: clock())
            } else {
                await executor.run(afterGates, desired: desired, observed: observed, settled: report.outcomes)
            }
            report = ExecutionReport(outcomes: (report.outcomes + removals.outcomes).sorted { $0.id < $1.id }, startedAt: report.startedAt,
                                     endedAt: max(report.endedAt, removals.endedAt))
        }
        var end = ConvergenceRecord.end(beginSeq: beginSeq, report: report, imageDigests: digests)
        if Task.isCancelled {
            end.outcome = .interrupted
            end.reason = "stopped (the agent's shutdown, or SIGINT/SIGTERM to the command): operations in flight finished, the rest did not start"
        }
        let gateFailure = Task.isCancelled ? nil : GateRecord.failureReason(gates)
        if let gateFailure {
            end.outcome = .failed
            end.reason = [end.reason, gateFailure].compactMap { $0 }.joined(separator: "; ")
        } else if trigger == .rollback && [.converged, .noChange].contains(end.outcome) {
            end.outcome = .rolledBack  // the failed convergence undone, the projects' gates passed
        } else if end.outcome == .noChange && !gates.isEmpty && !Task.isCancelled {
            end.outcome = .converged  // an interrupted convergence's gates, resumed, passed: its state is good
        }
        end.durationMilliseconds = max(0, clock() - started)  // the gates included
        try journal.end(end)
        var result = Result(plan: plan, report: report, outcome: end.outcome, beginSeq: beginSeq, reason: gateFailure)
        result.gates = gates
        return result
    }

    /// The gate step: the containers whose create or recreate succeeded, watched at once; their results are
    /// journaled (probe output with the desired state's environment values scrubbed) before the end record.
    func runGates(_ plan: Plan, desired: DesiredState, report: ExecutionReport, beginSeq: Int64, rollback: Bool,
                  owed: Set<String>) async throws -> [GateResult] {
        guard let gate, !Task.isCancelled else { return [] }
        let done = Set(report.outcomes.filter(\.status.isSuccess).map(\.id))
        let gated = Set(plan.operations.filter { done.contains($0.id) && [.createContainer, .recreateContainer, .restoreContainer].contains($0.kind) }.map(\.resource))
        var targets = HealthGate.targets(plan: plan, desired: desired, rollback: rollback).filter { gated.contains($0.resource) }
        let planned = Set(plan.operations.map(\.resource))
        targets += HealthGate.targets(resources: owed.filter { !planned.contains($0) }.sorted(), desired: desired, rollback: rollback)
        guard !targets.isEmpty else { return [] }
        var results = await gate.run(targets)
        // Stopped by the agent's shutdown: what the gates saw is not a verdict (the end says interrupted).
        guard !Task.isCancelled else { return [] }
        for index in results.indices { results[index].output = results[index].output.map { redactor.scrub($0, of: desired) } }
        try journal.append(.gate, JSONValue.encoding(GateRecord(beginSeq: beginSeq, results: results)))
        return results
    }

    /// Records a convergence refused before planning — manifests that do not load, a refused rewind — with
    /// `reason`. The host is not touched.
    @discardableResult
    public func reject(reason: String, source: SourceRevision?, trigger: ConvergenceTrigger) throws -> Int64 {
        let started = clock()
        try InterruptedConvergence.end(in: journal)
        var begin = ConvergenceRecord.refusedBegin(trigger: trigger, source: source)
        begin.policy = policy
        begin.origin = origin
        begin.verify = verification
        let beginSeq = try journal.begin(begin)
        try journal.end(ConvergenceEnd(beginSeq: beginSeq, outcome: .rejected, reason: reason, durationMilliseconds: max(0, clock() - started)))
        return beginSeq
    }
}
