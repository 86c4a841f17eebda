import BosunAgent
import BosunContainers
import BosunConverge
import BosunDaemon
import BosunGit
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunManifest
import BosunModel
import BosunNetwork
import BosunPlanner
import BosunSource
import Foundation
import Synchronization

/// The agent's real work: fetch the desired state from git (the same mirror and loader as `bosun apply`, the
/// rewind guard anchored at the journal's last applied commit), plan against the host, apply, journal; check
/// drift between commits; apply restart policies. One `HostEngine` (and its health monitor) lives as long as
/// the agent, so health is watched continuously.
///
/// `converge`, `checkDrift` and `supervise` are called one at a time by the `AgentLoop`; `status` may come at
/// any time and reads only the locked snapshot.
final class ConvergingWork: AgentWork, @unchecked Sendable {
    /// What the agent was configured with.
    struct Settings {
        var source: SourceOptions
        /// The source's access with the credentials read from the config's files.
        var access: GitAccess
        var defaultDrift: DriftMode
        /// The host's policy, from the agent's config.
        var policy = HostPolicy()
        var concurrency = 8
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
    let journal: Journal
    let redactor: SecretRedactor
    let log: AgentLog
    let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    let restarts = Mutex(RestartSupervision())
    let restartCounts: RestartCountsFile
    let snapshot: Mutex<AgentSnapshot>

    // Owned by the loop's calls (never concurrent with each other).
    var applied: Applied?
    var lastAppliedCommit: GitCommitID?
    var rejectedCommit: String?
    var sourceError: String?
    var journaledDrift: [DriftFinding] = []
    var atStartup = true
    var mirror: GitMirror?

    init(settings: Settings, parts: HostEngineOptions.Parts, journal: Journal, salt: [UInt8], log: AgentLog, snapshot: AgentSnapshot) {
        self.settings = settings
        stateDirectory = settings.source.state.resolvedStateDir
        host = parts.engine
        networks = parts.networks
        containers = parts.containers
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
    /// power) is ended as interrupted; the last applied commit anchors the rewind guard.
    func start() throws {
        if let open = journal.openConvergence {
            try journal.end(ConvergenceEnd(beginSeq: open, outcome: .interrupted,
                                           reason: "the agent stopped before this convergence ended (killed, crashed or lost power); the startup convergence resumes it",
                                           durationMilliseconds: 0))
            log.event("interrupted", ["begin_seq": String(open), "action": "resumed by the startup convergence"])
        }
        lastAppliedCommit = lastAppliedFromJournal()
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

    /// The commit last applied from the configured repository, read from the journal once at start.
    func lastAppliedFromJournal() -> GitCommitID? {
        guard let repo = settings.source.repo, let storage = journal.storage as? FileJournalStorage,
              let mirror = try? mirror ?? SourceReader(stateDirectory: stateDirectory).mirror(for: repo, access: settings.access) else { return nil }
        self.mirror = mirror
        let segments = ((try? storage.segmentNames()) ?? []).compactMap { try? storage.read($0) }
        let last = ConvergenceHistory(segments: segments).convergences.last { convergence in
            guard let outcome = convergence.outcome, [.converged, .partiallyFailed, .noChange].contains(outcome) else { return false }
            return convergence.beginBody.source?.repositoryURL == mirror.repositoryURL
        }
        return last?.beginBody.source.flatMap { GitCommitID($0.commitID) }
    }

    // MARK: converge

    func converge(trigger: ConvergenceTrigger) async -> AgentReport {
        defer { atStartup = false }
        let opened: SourceReader.Opened
        do { opened = try await open() } catch {
            return sourceFailed("\(error)", trigger: trigger)
        }
        sourceError = nil
        let commit = opened.revision?.commitID
        // Between commits a poll or a webhook only notes a check: drift is the drift check's business, so
        // projects in observe mode are not corrected behind their back.
        if [.poll, .webhook].contains(trigger), let applied, applied.complete, let commit, applied.revision?.commitID == commit {
            return noteCheck(commit: commit)
        }
        let result = ManifestLoader(tree: opened.tree, options: settings.source.loadOptions(policy: settings.policy)).load(path: opened.path, rootName: opened.rootName)
        guard let desired = result.state else {
            return rejected(result, opened: opened, trigger: trigger)
        }
        let stateHash = ConfigHash.of(desired)
        if [.poll, .webhook].contains(trigger), let applied, applied.complete, commit == nil, applied.stateHash == stateHash {
            return noteCheck(commit: nil)
        }
        if Task.isCancelled {  // stopping before anything was planned: nothing to journal
            return AgentReport(commit: commit, outcome: "stopped", summary: "the agent stopped before planning", failed: true)
        }
        do {
            let files = try SourceOptions.files(of: opened, stateDirectory: stateDirectory)
            host.sourceFiles.set(files.root, store: files.store)
        } catch {
            return AgentReport(commit: commit, outcome: "failed", summary: "\(error)", failed: true)
        }
        let outcome: Convergence.Result
        do {
            let lock = try await ConvergenceLock.acquire(stateDirectory: stateDirectory) { [log] holder in
                log.event("waiting", ["for": "another convergence", "pid": holder.map(String.init)])
            }
            defer { lock.release() }
            outcome = try await convergence.converge(desired, source: opened.revision, trigger: trigger)
        } catch {
            log.event("convergence-error", ["trigger": trigger.rawValue, "error": "\(error)"])
            return AgentReport(commit: commit, outcome: "failed", summary: "\(error)", failed: true)
        }
        for swept in outcome.swept { log.event("swept", ["container": swept.name, "project": swept.project, "action": swept.action.rawValue, "reason": swept.reason]) }
        let complete = [.converged, .noChange].contains(outcome.outcome)
        applied = Applied(desired: desired, revision: opened.revision, stateHash: stateHash, complete: complete)
        if [.converged, .partiallyFailed, .noChange].contains(outcome.outcome), let commit { lastAppliedCommit = GitCommitID(commit) }
        rejectedCommit = nil
        let names = Set(desired.projects.flatMap { project in project.services.map { ContainerTarget.containerName(project: project.name, service: $0) } })
        restarts.withLock { $0.keep(only: names) }
        await saveRestarts()
        let report = outcome.report
        let summary = outcome.plan.isEmpty ? "nothing to do"
            : "\(outcome.plan.operations.count) operations: \(report.succeeded) succeeded, \(report.failed) failed, \(report.skipped) skipped"
        let agentReport = AgentReport(commit: commit, outcome: outcome.outcome.rawValue, summary: summary,
                                      failed: ![.converged, .noChange].contains(outcome.outcome))
        record(agentReport, trigger: trigger, journalSeq: outcome.beginSeq)
        if outcome.outcome == .interrupted { log.event("interrupted", ["trigger": trigger.rawValue, "journal_seq": outcome.beginSeq.map(String.init)]) }
        return agentReport
    }

    /// Fetches and reads the source, reusing one git mirror for the agent's life.
    func open() async throws -> SourceReader.Opened {
        let spec = try settings.source.spec(lastApplied: lastAppliedCommit)
        guard let repository = spec.repository else { return try await SourceReader(stateDirectory: stateDirectory).open(spec) }
        let mirror = try self.mirror ?? SourceReader(stateDirectory: stateDirectory).mirror(for: repository, access: settings.access)
        self.mirror = mirror
        let fetched = try await mirror.fetch()
        let ref = spec.ref ?? fetched.defaultBranch ?? "HEAD"
        let commit = try await mirror.resolve(ref)
        if let last = spec.lastApplied { try await mirror.checkNoRewind(ref: ref, from: last, to: commit, allowRewind: false) }
        let revision = try await mirror.revision(of: commit, ref: ref)
        var name = (mirror.repositoryURL as NSString).lastPathComponent
        if name.hasSuffix(".git") { name = String(name.dropLast(4)) }
        return SourceReader.Opened(tree: try await mirror.tree(at: commit, path: ""), path: spec.path == "." ? "" : spec.path,
                                   revision: revision, rootName: name)
    }

    func noteCheck(commit: String?) -> AgentReport {
        try? journal.noteCheck(commitID: commit)
        snapshot.withLock { $0.lastCheck = (clock(), commit) }
        return AgentReport(commit: commit, outcome: "no-change", summary: "nothing new in git", failed: false)
    }

    /// A source that cannot be read (forge down, credentials refused, a rewind): journaled as rejected once
    /// per distinct error, logged every time.
    func sourceFailed(_ message: String, trigger: ConvergenceTrigger) -> AgentReport {
        log.event("source", ["outcome": "unavailable", "trigger": trigger.rawValue, "error": message])
        if sourceError != message {
            _ = try? convergence.reject(reason: "cannot read the source: \(message)", source: nil, trigger: trigger)
        }
        sourceError = message
        let report = AgentReport(commit: applied?.revision?.commitID, outcome: "source-unavailable", summary: message, failed: true)
        snapshot.withLock { $0.sourceError = message }
        return report
    }

    /// Manifests that do not load: journaled as rejected (once per commit), nothing touched.
    func rejected(_ result: ManifestLoadResult, opened: SourceReader.Opened, trigger: ConvergenceTrigger) -> AgentReport {
        let reason = result.renderedDiagnostics(pathPrefix: opened.revision == nil ? settings.source.path : "")
        let commit = opened.revision?.commitID
        var seq: Int64?
        if rejectedCommit == nil || rejectedCommit != commit || commit == nil && trigger != .poll {
            seq = try? convergence.reject(reason: reason, source: opened.revision, trigger: trigger)
        }
        rejectedCommit = commit ?? "directory"
        let count = result.errors.count
        let report = AgentReport(commit: commit, outcome: "rejected", summary: "\(count) error\(count == 1 ? "" : "s") in the manifests; nothing applied",
                                 failed: true)
        log.event("rejected", ["commit": commit.map { String($0.prefix(12)) }, "errors": String(count),
                               "first": result.errors.first.map(\.description)])
        record(report, trigger: trigger, journalSeq: seq)
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
