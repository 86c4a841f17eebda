import BosunFailure
public import BosunConverge
public import BosunManifest
public import BosunModel
import BosunPlanner
public import BosunSource
public import BosunGit
public import BosunJournal

/// One convergence, as every caller runs it: source → verify → load → admit → lock → observe → plan →
/// converge → gate → record (`CycleStep`). `apply` and `plan` make one cycle per run; the agent keeps one
/// for its life (its source keeps one git mirror, and a failure that repeats is journaled once).
public struct ConvergenceCycle {
    /// How far a run goes.
    public enum Mode: Sendable, Hashable {
        /// Up to the plan; nothing journaled, no lock.
        case plan
        /// The whole cycle; refuses when `expectedPlanHash` is given and the plan differs.
        case apply(expectedPlanHash: String?)
    }

    /// What one run is asked to do.
    public struct Request: Sendable {
        public var trigger: ConvergenceTrigger
        public var mode: Mode
        /// Accept a ref that moved to a commit not descending from the last applied one.
        public var allowRewind = false
        /// Take the state directory over from the source it belongs to (journaled as a switch).
        public var switchSource = false
        /// What the host was last converged to completely (the agent's memory): a poll or webhook for the same
        /// commit — or the same directory state — is `unchanged`.
        public var convergedTo: (commit: String?, stateHash: String)?
        /// Release every quarantine and converge the desired state in git as it is (`--retry`).
        public var retry = false

        public init(trigger: ConvergenceTrigger, mode: Mode, allowRewind: Bool = false, switchSource: Bool = false,
                    convergedTo: (commit: String?, stateHash: String)? = nil, retry: Bool = false) {
            self.trigger = trigger
            self.mode = mode
            self.allowRewind = allowRewind
            self.switchSource = switchSource
            self.convergedTo = convergedTo
            self.retry = retry
        }
    }

    public let source: any DesiredStateSource
    /// `source.origin`, read once.
    public let origin: SourceOrigin
    public var convergence: Convergence
    public var loadOptions: LoadOptions
    public let host: any CycleHost
    public var verifier: (any RevisionVerifier)?
    /// Journal every refusal (apply: one per run), or only one per distinct source error or commit (the agent).
    public var journalRepeats: Bool
    var lastSourceError: String?
    var lastRejected: String?
    /// Past commits read for quarantined or rolled-back projects, newest first (a few).
    var pastCommits: [(opened: SourceReader.Opened, state: DesiredState)] = []

    public init(source: any DesiredStateSource, convergence: Convergence, loadOptions: LoadOptions, host: any CycleHost,
                journalRepeats: Bool) {
        self.source = source
        origin = source.origin
        self.convergence = convergence
        self.loadOptions = loadOptions
        self.host = host
        self.journalRepeats = journalRepeats
        self.convergence.policy = loadOptions.policy
        self.convergence.origin = origin
        // A repository with a signature policy: its commits pass the verify step.
        if let repository = source as? RepositorySource, let check = repository.signatures {
            verifier = CommitSignatureVerification(check: check, mirror: repository.mirror)
            self.convergence.verification = check.policy.summary
        }
    }

    var journal: Journal { convergence.journal }

    /// The commit last applied from this cycle's repository, from the journal's index.
    public func lastApplied() -> GitCommitID? {
        journal.index.lastApplied(from: origin).flatMap(GitCommitID.init)
    }

    /// The source the state directory belongs to, when it is not this cycle's.
    public func foreignOwner() -> SourceOrigin? {
        guard let owner = journal.index.owner, !owner.isSameSource(as: origin) else { return nil }
        return owner
    }

    public mutating func run(_ request: Request) async -> CycleReport {
        var report = CycleReport(outcome: .unchanged, origin: origin)
        // source
        let opened: SourceReader.Opened
        do {
            journal.refreshIndex()  // without the lock: only read what another process stored
            opened = try await source.open(lastApplied: lastApplied(), keeping: commitsToKeep, allowRewind: request.allowRewind)
        } catch {
            let message = "\(error)"
            if request.mode != .plan && (journalRepeats || lastSourceError != message) {
                report.journalSeq = await refuse("cannot read the source: \(message)", revision: nil, trigger: request.trigger)
            }
            lastSourceError = message
            report.outcome = .sourceUnavailable(message)
            report.failure = Failure(describing: error, action: "read the source")
            return report
        }
        lastSourceError = nil
        report.revision = opened.revision
        let commit = opened.revision?.commitID
        if [.poll, .webhook].contains(request.trigger), let last = request.convergedTo, let commit, last.commit == commit {
            return report
        }
        // verify
        if let verifier {
            do { convergence.signer = try await verifier.verify(opened, past: false) } catch {
                return await rejected(.verify, "the commit is not trusted: \(error)", opened: opened, request: request, report: report)
            }
        }
        // load
        let loaded = ManifestLoader(tree: opened.tree, options: loadOptions).load(path: opened.path, rootName: opened.rootName)
        report.loaded = loaded
        guard let desired = loaded.state else {
            let reason = loaded.renderedDiagnostics(pathPrefix: opened.revision == nil ? sourcePathPrefix : "")
            return await rejected(.load, reason, opened: opened, request: request, report: report)
        }
        let stateHash = ConfigHash.of(desired)
        report.stateHash = stateHash
        if [.poll, .webhook].contains(request.trigger), let last = request.convergedTo, commit == nil, last.stateHash == stateHash {
            report.desired = desired
            return report
        }
        // hold: quarantined projects converge from their last good commit (not another source's quarantines)
        var held = HeldDesiredState(desired: desired)
        do { if foreignOwner() == nil { held = try await holding(desired, retry: request.retry) } } catch {
            return await rejected(.load, error.description, opened: opened, request: request, report: report)
        }
        report.desired = held.desired
        report.held = held
        let heldFrom = journal.index.quarantined
        // admit (the host policy was checked while loading; here: whose state directory this is)
        if let owner = foreignOwner(), !request.switchSource {
            let refusal = Self.ownershipRefusal(owner: owner, origin: origin)
            if request.mode == .plan {
                report.warnings.append(refusal)
            } else {
                return await rejected(.admit, refusal, opened: opened, request: request, report: report)
            }
        }
        guard case .apply(let expectedPlanHash) = request.mode else {
            do {
                let (observed, plan) = try await convergence.plan(held.desired)
                report.outcome = .planned(observed, plan)
            } catch {
                report.outcome = .failed(.observe, "cannot observe the host: \(error)")
                report.failure = Failure(describing: error, action: "observe the host")
            }
            return report
        }
        if Task.isCancelled {
            report.outcome = .failed(.lock, "stopped before planning")
            return report
        }
        // lock, then observe → plan → converge → record
        guard let lock = await lockForConverging(&report) else { return report }
        defer { lock.release() }
        let owner = foreignOwner()
        if let owner, !request.switchSource {  // another process took it over while this one waited
            let refusal = Self.ownershipRefusal(owner: owner, origin: origin)
            report.journalSeq = try? convergence.reject(reason: refusal, source: opened.revision, trigger: request.trigger)
            report.outcome = .rejected(.admit, refusal)
            return report
        }
        // Another process may have quarantined or released projects while this one waited for the lock.
        if owner == nil && journal.index.quarantined != heldFrom {
            do { held = try await holding(desired, retry: request.retry) } catch {
                report.journalSeq = try? convergence.reject(reason: error.description, source: opened.revision, trigger: request.trigger)
                report.outcome = .rejected(.load, error.description)
                return report
            }
            report.desired = held.desired
            report.held = held
        }
        do {
            try host.publish(opened, alongside: held.others)
        } catch {
            report.outcome = .failed(.converge, "\(error)")
            report.failure = Failure(describing: error, action: "publish the commit's files")
            return report
        }
        var convergence = self.convergence
        convergence.switchedFrom = owner
        convergence.projectCommits = held.projectCommits
        convergence.releases = held.releases
        report.switchedFrom = owner
        do {
            let result = try await convergence.converge(held.desired, source: opened.revision, trigger: request.trigger, expectedPlanHash: expectedPlanHash)
            report.outcome = .converged(result)
            report.journalSeq = result.beginSeq
            lastRejected = nil
            if result.gates.contains(where: { !$0.passed }) {
                convergence.switchedFrom = nil
                convergence.releases = []
                report.rollback = await rollBack(after: result, held: held, opened: opened, convergence: convergence)
                if let desired = report.rollback?.desired { report.desired = desired }
            }
            // Drift corrections (`locked`) converge the same desired state: their begin records say the same.
            self.convergence.projectCommits = held.projectCommits.merging(report.rollback?.record?.projects ?? [:]) { _, new in new }
        } catch let error as ConvergeError {
            report.outcome = .rejected(.plan, error.description)
        } catch {
            report.outcome = .failed(.record, "\(error)")
            report.failure = Failure(describing: error, action: "converge")
        }
        return report
    }

    /// Takes the convergence lock and catches the journal up with other processes; nil, with `report` failed at
    /// the lock step, when either cannot be done.
    func lockForConverging(_ report: inout CycleReport) async -> (any CycleLock)? {
        do {
            let lock = try await host.lock()
            do { try journal.catchUp() } catch {
                lock.release()
                throw error
            }
            return lock
        } catch {
            report.outcome = .failed(.lock, "\(error)")
            report.failure = Failure(describing: error, action: "take the convergence lock")
            return nil
        }
    }

    /// The cycle's last steps for desired state already known (drift corrections).
    public var locked: LockedConvergence { LockedConvergence(convergence: convergence, host: host) }

    static func ownershipRefusal(owner: SourceOrigin, origin: SourceOrigin) -> String {
        "this state directory belongs to \(owner) (its last convergence); this convergence's source is \(origin): "
            + "converging it would remove everything the other source made. To move the host to this source, run "
            + "bosun apply with --switch-source (journaled as a switch), or change the agent's config, which switches it"
    }

    /// The directory as the user named it, for diagnostics of a directory source.
    var sourcePathPrefix: String { (source as? DirectorySource)?.path ?? "" }

    mutating func rejected(_ step: CycleStep, _ reason: String, opened: SourceReader.Opened, request: Request,
                                   report: CycleReport) async -> CycleReport {
        var report = report
        report.outcome = .rejected(step, reason)
        guard request.mode != .plan else { return report }
        let key = (opened.revision?.commitID ?? "directory") + "\u{0}" + reason
        if journalRepeats || lastRejected != key || (opened.revision == nil && request.trigger != .poll) {
            report.journalSeq = await refuse(reason, revision: opened.revision, trigger: request.trigger)
        }
        lastRejected = key
        return report
    }

    /// Journals a refusal under the lock (nil when the journal cannot be written: the caller reports the refusal anyway).
    private func refuse(_ reason: String, revision: SourceRevision?, trigger: ConvergenceTrigger) async -> Int64? {
        guard let lock = try? await host.lock() else { return nil }
        defer { lock.release() }
        try? journal.catchUp()
        return try? convergence.reject(reason: reason, source: revision, trigger: trigger)
    }
}
