public import BosunModel

/// What the convergence cycle asks the journal on every run, kept small: the last commit applied from each
/// repository (the rewind guard's anchor), the source the state directory belongs to, each project's last
/// good state and the quarantined ones. A cache of the
/// journal, not a second truth: it names the record it is current up to (`head`), and the journal replays the
/// records after it — or rebuilds it from every segment when that record is not what the journal holds.
public struct AppliedIndex: Sendable, Hashable, Codable {
    /// The commit last applied from one repository.
    public struct Applied: Sendable, Hashable, Codable {
        public var commitID: String
        /// The begin record of that convergence.
        public var seq: Int64
        enum CodingKeys: String, CodingKey { case commitID = "commit_id", seq }
    }

    /// A project's desired state as of the last convergence whose gates all passed with it.
    public struct GoodState: Sendable, Hashable, Codable {
        /// The commit the project's desired state was read from (nil: a directory source).
        public var commitID: String?
        /// The begin record of that convergence.
        public var seq: Int64
        /// `ConfigHash.of(project)`; nil in records of a bosun before rollbacks.
        public var hash: String?
        enum CodingKeys: String, CodingKey { case commitID = "commit_id", seq, hash }
    }

    /// The index format; another value is rebuilt.
    public var version = 3
    /// The journal record the index is current up to.
    public var head: JournalHead?
    /// By `SourceOrigin.repositoryKey`: the commit of the last convergence that ended converged, partially
    /// failed or with nothing to do.
    public var lastApplied: [String: Applied] = [:]
    /// The source of the last convergence that acted on the host (every outcome but rejected); nil before any,
    /// or when only convergences of a bosun that did not record sources are known for a directory.
    public var owner: SourceOrigin?
    /// By project: its state at the last convergence that ended converged or rolled back (its gates passed).
    /// Cleared when the state directory changes source.
    public var lastGood: [String: GoodState] = [:]
    /// By project: the quarantine in force (`QuarantineRecord`), until a `release`.
    public var quarantined: [String: QuarantineRecord] = [:]
    /// By project: the hash of a desired state whose gate failed and has not passed since (under
    /// `failure_action: pause` or `continue` it stays on the host): never taken as a good state.
    public var failedHashes: [String: String] = [:]
    /// `project/service` of containers that convergences ended `interrupted` created or recreated before a gate
    /// decided: the next convergence gates them (a commit cut off in its gate is not taken as good).
    public var owedGates: [String] = []
    /// The begin being read: its seq and what it says about the source.
    var pending: Pending?

    struct Pending: Sendable, Hashable, Codable {
        var seq: Int64
        var origin: SourceOrigin?
        var commitID: String?
        var projectHashes: [String: String]?
        var projectCommits: [String: String]?
        /// The projects of a begin without project hashes (a bosun before rollbacks), from its services.
        var projects: [String]?
        /// `project/service` of the containers it creates or recreates.
        var gated: [String]?
        /// Its `gate` record was written; the projects with a failed and with a passed gate.
        var gateSeen: Bool?
        var failing: [String]?
        var passing: [String]?
    }

    enum CodingKeys: String, CodingKey {
        case version, head, lastApplied = "last_applied", owner, lastGood = "last_good", quarantined, failedHashes = "failed_hashes"
        case owedGates = "owed_gates", pending
    }

    public init() {}

    /// The commit last applied from `origin`'s repository.
    public func lastApplied(from origin: SourceOrigin) -> String? {
        origin.isRepository ? lastApplied[origin.repositoryKey]?.commitID : nil
    }

    /// Takes one record in (records must come in journal order).
    public mutating func note(_ record: JournalRecord) {
        head = JournalHead(seq: record.seq, hash: record.hash)
        switch record.kind {
        case .begin:
            let source = record.body["source"]
            var origin = (try? record.body["origin"]?.decode(SourceOrigin.self)) ?? nil
            if origin == nil, let url = source?["repository_url"]?.stringValue {
                origin = SourceOrigin(location: url, path: nil, isRepository: true)  // recorded before origins were
            }
            let hashes = try? record.body["project_hashes"]?.decode([String: String].self)
            var services: [String]?
            if case .object(let fields)? = record.body["services"] { services = fields.keys.map { String($0.prefix { $0 != "/" }) } }
            var gated: [String] = []
            if case .array(let operations)? = record.body["operations"] {
                for operation in operations where ["create", "recreate", "restore"].contains(operation["kind"]?.stringValue ?? "") {
                    if let resource = operation["resource"]?.stringValue { gated.append(resource) }
                }
            }
            pending = Pending(seq: record.seq, origin: origin, commitID: source?["commit_id"]?.stringValue, projectHashes: hashes,
                              projectCommits: try? record.body["project_commits"]?.decode([String: String].self),
                              projects: hashes == nil ? services.map { Array(Set($0)).sorted() } : nil, gated: gated.isEmpty ? nil : gated)
        case .gate:
            guard var open = pending, record.body["begin_seq"]?.intValue == open.seq else { return }
            open.gateSeen = true
            if case .array(let results)? = record.body["results"] {
                for result in results {
                    guard let project = result["resource"]?.stringValue.map({ String($0.prefix { $0 != "/" }) }) else { continue }
                    if case .bool(true)? = result["passed"] { open.passing = (open.passing ?? []) + [project] } else { open.failing = (open.failing ?? []) + [project] }
                }
            }
            pending = open
        case .end:
            guard let pending, record.body["begin_seq"]?.intValue == pending.seq,
                  let outcome = record.body["outcome"]?.stringValue.flatMap(ConvergenceOutcome.init(rawValue:)) else { return }
            self.pending = nil
            guard outcome != .rejected else { return }
            if outcome == .interrupted {
                if pending.gateSeen != true { owedGates = Array(Set(owedGates + (pending.gated ?? []))).sorted() }
            } else {
                owedGates = []  // this convergence gated them (`Convergence.execute` adds the owed gates)
            }
            for project in pending.passing ?? [] { failedHashes[project] = nil }
            for project in pending.failing ?? [] { failedHashes[project] = pending.projectHashes?[project] }
            guard let origin = pending.origin else { return }
            if let owner, !owner.isSameSource(as: origin) {  // a switch: the other source's history says nothing here
                lastGood = [:]
                quarantined = [:]
                failedHashes = [:]
            }
            owner = origin
            // Not a rollback: the commit it rolled back from stays behind the anchor, so a force-push back to the
            // last good commit is no rewind.
            if [.converged, .partiallyFailed, .noChange].contains(outcome), origin.isRepository, let commit = pending.commitID {
                lastApplied[origin.repositoryKey] = Applied(commitID: commit, seq: pending.seq)
            }
            if [.converged, .rolledBack].contains(outcome) { noteGood(pending) }
        case .quarantine:
            if let quarantine = try? record.body.decode(QuarantineRecord.self) { quarantined[quarantine.project] = quarantine }
        case .release:
            if let release = try? record.body.decode(QuarantineRelease.self), quarantined[release.project]?.hash == release.hash {
                quarantined[release.project] = nil
            }
        default: break
        }
    }

    /// Every project of a convergence whose gates all passed is good as it was converged — except a desired
    /// state that is quarantined or whose gate failed (left in place under pause, continue, or with nothing to
    /// roll back to), which keeps the good state it had; a project it did not have (removed) has none any more.
    private mutating func noteGood(_ pending: Pending) {
        let projects = pending.projectHashes.map { Array($0.keys) } ?? pending.projects ?? []
        var good: [String: GoodState] = [:]
        for name in projects {
            let hash = pending.projectHashes?[name]
            if let hash, quarantined[name]?.hash == hash || failedHashes[name] == hash {
                good[name] = lastGood[name]
            } else {
                good[name] = GoodState(commitID: pending.projectCommits?[name] ?? pending.commitID, seq: pending.seq, hash: hash)
            }
        }
        lastGood = good
    }

    /// The index stored as `bytes`; nil when they are not one, or one of another format (then it is rebuilt).
    static func decoded(_ bytes: [UInt8]) -> AppliedIndex? {
        guard let index = JSONValue.parse(bytes).flatMap({ try? $0.decode(AppliedIndex.self) }), index.version == AppliedIndex().version else {
            return nil
        }
        return index
    }
}
