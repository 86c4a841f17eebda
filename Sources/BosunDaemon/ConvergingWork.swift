public import BosunTrust
import BosunFailure
import BosunAgent
public import BosunContainers
import BosunConverge
import BosunCycle
public import BosunGit
public import BosunHost
public import BosunJournal
public import BosunManifest
public import BosunModel
public import BosunNetwork
import BosunPlanner
import BosunSource
import Foundation
import Synchronization

/// The agent's real work: one `ConvergenceCycle` per poll, webhook or startup (the same cycle as `bosun apply`:
/// fetch, rewind guard anchored at the journal's applied index, load, admit, lock, converge, journal); check
/// drift between commits; apply restart policies. One `HostEngine` (and its health monitor) lives as long as
/// the agent, so health is watched continuously.
///
/// `converge`, `checkDrift` and `supervise` are called one at a time by the `AgentLoop`; `status` may come at
/// any time and reads only the locked snapshot.
public final class ConvergingWork: AgentWork, @unchecked Sendable {
    /// What the agent was configured with.
    public struct Settings {
        /// The repository (nil: `path` is a directory on disk), the ref and the manifests' path in it.
        public var repository: String?
        public var ref: String?
        public var path: String
        public var stateDirectory: String
        /// The source's access with the credentials read from the config's files.
        public var access: GitAccess
        /// How manifests are loaded (the agent's environment, the host policy, the CPU count, profiles).
        public var loadOptions: LoadOptions
        public var defaultDrift: DriftMode
        /// The host's policy, from the agent's config.
        public var policy: HostPolicy
        /// What a commit must carry to be converged, from the agent's config.
        public var signatures = SignaturePolicy()
        public var concurrency = 8

        public init(repository: String?, ref: String?, path: String, stateDirectory: String, access: GitAccess, loadOptions: LoadOptions,
                    defaultDrift: DriftMode, policy: HostPolicy) {
            self.repository = repository
            self.ref = ref
            self.path = path
            self.stateDirectory = stateDirectory
            self.access = access
            self.loadOptions = loadOptions
            self.defaultDrift = defaultDrift
            self.policy = policy
        }
    }

    /// The host the agent acts on: its engine (one for the agent's life), the networks, the detached
    /// containers, and how stopped containers are started again (`bosun start`'s starter).
    public struct Host {
        public var engine: HostEngine
        public var networks: @Sendable () throws -> NetworkManager
        public var containers: DetachedContainers
        public var starter: any ContainerStarting

        public init(engine: HostEngine, networks: @escaping @Sendable () throws -> NetworkManager, containers: DetachedContainers,
                    starter: any ContainerStarting) {
            self.engine = engine
            self.networks = networks
            self.containers = containers
            self.starter = starter
        }
    }

    /// The desired state the host was last converged to (the baseline drift is measured against).
    struct Applied {
        var desired: DesiredState
        var revision: SourceRevision?
        var stateHash: String
        /// The last convergence to it ended converged or with nothing to do.
        var complete: Bool
    }

    let settings: Settings
    let stateDirectory: String
    let host: HostEngine
    let networks: @Sendable () throws -> NetworkManager
    let containers: DetachedContainers
    let starter: any ContainerStarting
    let journal: Journal
    let redactor: SecretRedactor
    let log: AgentLog
    let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    let restarts = Mutex(RestartSupervision())
    let restartCounts: RestartCountsFile
    let snapshot: Mutex<AgentSnapshot>
    /// `bosun sync --retry` asked: the next convergence releases every quarantine.
    let retryRequested = Mutex(false)

    // Owned by the loop's calls (never concurrent with each other).
    var applied: Applied?
    var cycle: ConvergenceCycle?
    var journaledDrift: [DriftFinding] = []

    var atStartup = true
    /// The commit and reason of the last refusal logged: the same refusal at the next polls is not logged again.
    var lastRefusalLogged: String?

    public init(settings: Settings, host parts: Host, journal: Journal, salt: [UInt8], log: AgentLog, snapshot: AgentSnapshot) {
        self.settings = settings
        stateDirectory = settings.stateDirectory
        host = parts.engine
        networks = parts.networks
        containers = parts.containers
        starter = parts.starter
        self.journal = journal
        redactor = SecretRedactor(salt: salt)
        self.log = log
        self.snapshot = Mutex(snapshot)
        restartCounts = RestartCountsFile(stateDirectory: stateDirectory)
    }

    var engine: AgentEngine {
        AgentEngine(host: host) { [self] observed in keepStopped(observed) }
    }

    var convergence: Convergence {
        var convergence = Convergence(engine: engine, journal: journal, redactor: redactor, clock: clock, concurrency: settings.concurrency)
        convergence.policy = settings.policy
        return convergence
    }

    /// At start: a convergence the journal shows begun and never ended (the agent was killed, or the host lost
    /// power) is ended as interrupted. The rewind guard's anchor is the journal's applied index.
    public func start() throws {
        // Ended by the startup convergence under the lock (an apply may hold it now), which gates again what it created.
        if let interrupted = InterruptedConvergence.open(in: journal) {
            log.event("interrupted", ["begin_seq": String(interrupted.seq), "action": "resumed by the startup convergence",
                                      "gates": interrupted.gated.isEmpty ? nil : interrupted.gated.joined(separator: ",")])
        }
        do {
            if let counts = try restartCounts.load() {
                restarts.withLock { $0 = RestartSupervision(restoring: counts) }
                log.event("restart-counts", ["action": "restored", "containers": String(counts.containers.count)])
            }
        } catch {
            log.event("restart-counts", ["action": "ignored", "error": error.message, "level": "warning"])
        }
    }

    /// Saves the restart counts when they changed; a file that cannot be written is logged, not fatal.
    func saveRestarts() async {
        let counts = restarts.withLock { $0.counts }
        let file = restartCounts
        do { try await Blocking.run { try file.save(counts) } } catch {
            if file.isNew("\(error)") { log.event("restart-counts", ["action": "not-saved", "error": "\(error)", "level": "warning"]) }
        }
    }

    /// The agent's cycle, made at the first convergence (its source keeps one git mirror for the agent's life).
    func makeCycle() throws -> ConvergenceCycle {
        if let cycle { return cycle }
        let spec = SourceSpec(repository: settings.repository, ref: settings.ref, path: settings.path, access: settings.access,
                              signatures: settings.signatures)
        let source = try SourceReader(stateDirectory: stateDirectory).source(for: spec)
        let host = HostCycleHost(stateDirectory: stateDirectory, engine: self.host) { [log] holder in
            log.event("waiting", ["for": "another convergence", "pid": holder.map(String.init)])
        }
        let made = ConvergenceCycle(source: source, convergence: convergence, loadOptions: settings.loadOptions,
                                    host: host, journalRepeats: false)
        cycle = made
        return made
    }

    // MARK: converge

    /// One cycle. The agent's config names its source: a state directory another source converged last
    /// (`bosun apply --repo …` by hand) is taken back, journaled as a switch.
    public func converge(trigger: ConvergenceTrigger) async -> AgentReport {
        defer { atStartup = false }
        var cycle: ConvergenceCycle
        do { cycle = try makeCycle() } catch {
            _ = try? convergence.reject(reason: "cannot read the source: \(error)", source: nil, trigger: trigger)
            return sourceFailed("\(error)", trigger: trigger)
        }
        let retry = retryRequested.withLock { asked in defer { asked = false }; return asked }
        let convergedTo = applied.flatMap { $0.complete && !retry ? (commit: $0.revision?.commitID, stateHash: $0.stateHash) : nil }
        let owed = !journal.index.owedGates.isEmpty || journal.openConvergence != nil
        let report = await cycle.run(.init(trigger: trigger, mode: .apply(expectedPlanHash: nil), switchSource: true,
                                           convergedTo: owed ? nil : convergedTo, retry: retry))
        self.cycle = cycle
        let commit = report.commitID
        switch report.outcome {
        case .sourceUnavailable(let message):
            return sourceFailed(message, handling: report.failure?.handling, trigger: trigger)
        case .unchanged:
            snapshot.withLock { $0.sourceError = nil }
            return noteCheck(commit: commit)
        case .rejected(let step, let reason):
            return rejected(report, step: step, reason: reason, trigger: trigger)
        case .failed(let step, let message):
            if Task.isCancelled && step == .lock {  // stopping before anything was planned: nothing journaled
                return AgentReport(commit: commit, outcome: "stopped", summary: "the agent stopped before planning", failed: true)
            }
            log.event("convergence-error", ["trigger": trigger.rawValue, "step": step.rawValue, "error": message,
                                            "handling": report.failure?.handling.rawValue])
            return AgentReport(commit: commit, outcome: "failed", summary: message, failed: true)
        case .planned:
            return AgentReport(commit: commit, outcome: "failed", summary: "the cycle only planned", failed: true)
        case .converged(let outcome):
            return await converged(outcome, report: report, trigger: trigger)
        }
    }

    /// After a convergence ran: the baseline for drift, the restart supervision, the snapshot.
    func converged(_ outcome: Convergence.Result, report cycleReport: CycleReport, trigger: ConvergenceTrigger) async -> AgentReport {
        snapshot.withLock { $0.sourceError = nil }
        if let from = cycleReport.switchedFrom {
            log.event("source-switched", ["from": from.description, "to": cycleReport.origin.description, "journal_seq": outcome.beginSeq.map(String.init)])
        }
        for swept in outcome.swept { log.event("swept", ["container": swept.name, "project": swept.project, "action": swept.action.rawValue, "reason": swept.reason]) }
        if let held = cycleReport.held {
            for release in held.releases {
                log.event("release", ["project": release.project, "cause": release.cause.rawValue])
            }
            if !outcome.plan.isEmpty { for note in held.notes { log.event("quarantined", ["note": note]) } }
        }
        // A quarantined failure is done with: the next polls of the same commit are unchanged.
        let complete = [.converged, .noChange].contains(outcome.outcome) || !(cycleReport.rollback?.quarantined.isEmpty ?? true)
        if let rollback = cycleReport.rollback { logRollback(rollback, failedSeq: outcome.beginSeq) }
        if let desired = cycleReport.desired, let stateHash = cycleReport.stateHash {
            applied = Applied(desired: desired, revision: cycleReport.revision, stateHash: stateHash, complete: complete)
            let names = Set(desired.projects.flatMap { project in project.services.map { ContainerTarget.containerName(project: project.name, service: $0) } })
            restarts.withLock { $0.keep(only: names) }
            await saveRestarts()
        }
        let report = outcome.report
        for gate in outcome.gates where !gate.passed {
            log.event("gate", ["outcome": "failed", "resource": gate.resource, "container": gate.container, "check": gate.check.rawValue,
                               "reason": gate.reason, "journal_seq": outcome.beginSeq.map(String.init)])
        }
        var summary = outcome.plan.isEmpty ? "nothing to do"
            : "\(outcome.plan.operations.count) operations: \(report.succeeded) succeeded, \(report.failed) failed, \(report.skipped) skipped"
        if let reason = outcome.reason { summary += "; \(reason)" }
        if let rollback = cycleReport.rollback { summary += "; " + rollback.summary }
        let final = cycleReport.finalOutcome ?? outcome.outcome
        let agentReport = AgentReport(commit: cycleReport.commitID, outcome: final.rawValue, summary: summary,
                                      failed: ![.converged, .noChange].contains(final))
        record(agentReport, trigger: trigger, journalSeq: cycleReport.rollback?.result?.beginSeq ?? outcome.beginSeq)
        if outcome.outcome == .interrupted { log.event("interrupted", ["trigger": trigger.rawValue, "journal_seq": outcome.beginSeq.map(String.init)]) }
        return agentReport
    }

    /// One `quarantine` line per project held back, one `rollback` line for the rollback convergence.
    func logRollback(_ rollback: RollbackReport, failedSeq: Int64?) {
        for quarantine in rollback.quarantined {
            log.event("quarantine", ["project": quarantine.project, "commit": quarantine.commitID.map { String($0.prefix(12)) },
                                     "serving": quarantine.servingCommitID.map { String($0.prefix(12)) } ?? "none (left as it failed)",
                                     "reason": quarantine.reason, "journal_seq": failedSeq.map(String.init)])
        }
        if let result = rollback.result {
            log.event("rollback", ["outcome": result.outcome.rawValue, "projects": rollback.projects.joined(separator: ","),
                                   "to": rollback.record.map { $0.projects.values.map { String($0.prefix(12)) }.sorted().joined(separator: ",") },
                                   "journal_seq": result.beginSeq.map(String.init), "level": rollback.rolledBack ? nil : "error"])
        }
        if let problem = rollback.problem { log.event("rollback", ["outcome": "not-run", "reason": problem, "level": "error"]) }
    }

    func noteCheck(commit: String?) -> AgentReport {
        try? journal.noteCheck(commitID: commit)
        snapshot.withLock { $0.lastCheck = (clock(), commit) }
        return AgentReport(commit: commit, outcome: "no-change", summary: "nothing new in git", failed: false)
    }

    /// A source that cannot be read (forge down, credentials refused, a rewind): the cycle journaled it as
    /// rejected once per distinct error; logged every time.
    /// `handling` (the leaf error model's) goes into the log: `retry` for a forge that is down, `fix-input` for
    /// refused credentials or a rewind.
    func sourceFailed(_ message: String, handling: Failure.Handling? = nil, trigger: ConvergenceTrigger) -> AgentReport {
        log.event("source", ["outcome": "unavailable", "trigger": trigger.rawValue, "error": message, "handling": handling?.rawValue])
        let report = AgentReport(commit: applied?.revision?.commitID, outcome: "source-unavailable", summary: message, failed: true)
        snapshot.withLock { $0.sourceError = message }
        return report
    }

    /// Refused desired state (manifests that do not load, the policy, another source's state directory): the
    /// cycle journaled it (once per commit), nothing touched.
    func rejected(_ cycleReport: CycleReport, step: CycleStep, reason: String, trigger: ConvergenceTrigger) -> AgentReport {
        let commit = cycleReport.commitID
        let errors = cycleReport.loaded?.errors ?? []
        let summary = step == .load
            ? "\(errors.count) error\(errors.count == 1 ? "" : "s") in the manifests; nothing applied"
            : "\(reason); nothing applied"
        var report = AgentReport(commit: commit, outcome: "rejected", summary: summary, failed: true)
        let key = (commit ?? "") + "\u{0}" + reason
        if key == lastRefusalLogged {  // once per commit and reason, not at every poll (the journal has one record too)
            report.repeated = true
        } else {
            log.event("rejected", ["commit": commit.map { String($0.prefix(12)) }, "step": step.rawValue, "errors": step == .load ? String(errors.count) : nil,
                                   "first": step == .load ? errors.first.map(\.description) : reason])
        }
        lastRefusalLogged = key
        record(report, trigger: trigger, journalSeq: cycleReport.journalSeq)
        return report
    }

    func record(_ report: AgentReport, trigger: ConvergenceTrigger, journalSeq: Int64?) {
        let now = clock()
        snapshot.withLock { snapshot in
            snapshot.lastConvergence = AgentSnapshot.Convergence(at: now, trigger: trigger.rawValue, commit: report.commit, outcome: report.outcome,
                                                                 summary: report.summary, journalSeq: journalSeq)
            snapshot.sourceError = nil
            if let applied { snapshot.appliedCommit = applied.revision?.commitID; snapshot.appliedSubject = applied.revision?.subject }
        }
    }
}
