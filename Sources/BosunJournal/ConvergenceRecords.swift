public import BosunModel

/// What started a convergence.
public enum ConvergenceTrigger: String, Sendable, Hashable, Codable, CaseIterable {
    case poll, webhook, manual, drift, startup, rollback
}

/// How a convergence ended; a fixed list, so history can be filtered and counted.
public enum ConvergenceOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every operation succeeded; the host matches the desired state.
    case converged
    /// Some operations failed; the rest converged.
    case partiallyFailed = "partially-failed"
    /// Nothing could be converged.
    case failed
    /// The desired state was refused before acting: invalid manifests, a bad signature, a rewind.
    case rejected
    /// The agent stopped (crash, kill, shutdown) between begin and end.
    case interrupted
    /// A failed convergence was undone by returning to the previous desired state.
    case rolledBack = "rolled-back"
    /// A convergence asked for explicitly (not a poll) found nothing to do; polls record a checkpoint instead.
    case noChange = "no-change"
}

/// A value as the journal keeps it: plain, or replaced by a salted hash when it may be a secret.
public enum RecordedValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case plain(String)
    /// `hmac-sha256:<hex>` of the value under the journal's salt: equal values compare equal, the value never shows.
    case redacted(String)

    public var description: String {
        switch self {
        case .plain(let text): return text
        case .redacted(let hash): return "<redacted \(hash.prefix(22))…>"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .plain(let text): try container.encode(text)
        case .redacted(let hash): try container.encode(["redacted": hash])
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .plain(text); return }
        let object = try container.decode([String: String].self)
        self = .redacted(object["redacted"] ?? "")
    }
}

/// One field of a resource that a plan changes: `environment.DB_HOST`, `resources.memory`.
public struct FieldChange: Sendable, Hashable, Codable {
    public var field: String
    public var old: RecordedValue?
    public var new: RecordedValue?
    public init(field: String, old: RecordedValue?, new: RecordedValue?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// One operation of a plan as recorded: what, on which resource, why, and the field-level diff.
public struct RecordedOperation: Sendable, Hashable, Codable {
    /// Index in the plan, referenced by results.
    public var id: Int
    /// `project/service`, `network:project_back`, `volume:project_data`, `image:docker.io/library/nginx:1.27`.
    public var resource: String
    /// `pull`, `create`, `start`, `stop`, `remove`, `recreate`, `update-limits`, `connect`, `disconnect`…
    public var kind: String
    /// Why, in words: "no existing container", "memory limit 256m → 512m".
    public var cause: String
    public var changes: [FieldChange]
    public init(id: Int, resource: String, kind: String, cause: String, changes: [FieldChange] = []) {
        self.id = id
        self.resource = resource
        self.kind = kind
        self.cause = cause
        self.changes = changes
    }
}

/// The body of a `begin` record.
public struct ConvergenceBegin: Sendable, Hashable, Codable {
    public var trigger: ConvergenceTrigger
    public var source: SourceRevision?
    /// Who signed the commit, when a signature was verified.
    public var signer: String?
    public var desiredStateHash: String
    /// Config hash per service, keyed `project/service`.
    public var services: [String: String]
    /// The redacted desired state. As written to the journal, each service is replaced by `{"spec": KEY}` and
    /// `specs` holds the service specs whose keys the segment did not have yet (each distinct spec once).
    public var state: JSONValue?
    /// Service specs by key (SHA-256 of the redacted spec's canonical JSON), new in this record.
    public var specs: [String: JSONValue]
    public var planHash: String
    public var operations: [RecordedOperation]
    /// The host policy the desired state was checked against (absent in records of a bosun before policies):
    /// a change of policy shows in the journal at the first convergence under the new one.
    public var policy: HostPolicy?
    /// Where the desired state came from (repository and manifests' path, or a directory); absent in records
    /// of a bosun before sources were recorded. The state directory belongs to the origin of its last convergence.
    public var origin: SourceOrigin?
    /// The origin this convergence took the host over from (`--switch-source`, or the agent's config naming
    /// another source); absent otherwise.
    public var switchedFrom: SourceOrigin?
    /// `ConfigHash.of(project)` per project of the desired state (absent in records of a bosun before
    /// rollbacks): what the applied index's last good state and quarantines are keyed by.
    public var projectHashes: [String: String]?
    /// The projects whose desired state was read from another commit than `source`'s: a quarantined project
    /// kept at its last good commit, or a rollback's projects. Absent when none.
    public var projectCommits: [String: String]?
    /// The signature policy the commit was verified under ("tip, allowed signers FILE, principal committer");
    /// absent when none was set: a change of the verification settings shows at the next convergence.
    public var verify: String?

    public init(trigger: ConvergenceTrigger, source: SourceRevision?, signer: String? = nil, desiredStateHash: String,
                services: [String: String], state: JSONValue?, planHash: String, operations: [RecordedOperation]) {
        self.trigger = trigger
        self.source = source
        self.signer = signer
        self.desiredStateHash = desiredStateHash
        self.services = services
        self.state = state
        self.specs = [:]
        self.planHash = planHash
        self.operations = operations
    }

    enum CodingKeys: String, CodingKey {
        case trigger, source, signer, desiredStateHash = "desired_state_hash", services, state, specs
        case planHash = "plan_hash", operations, policy, origin, switchedFrom = "switched_from"
        case projectHashes = "project_hashes", projectCommits = "project_commits", verify
    }
}

/// The result of one operation: succeeded (`ok`), failed (`error`), or never run (`skipped`, with the cause).
public struct OperationResult: Sendable, Hashable, Codable {
    public var id: Int
    public var ok: Bool
    public var error: String?
    /// Why the operation never ran: "skipped: network:shop_front failed". Absent when it ran.
    public var skipped: String?
    /// Conditions not met that were not required. Absent when none.
    public var warnings: [String]?
    public var durationMilliseconds: Int64
    public init(id: Int, ok: Bool, error: String? = nil, skipped: String? = nil, warnings: [String]? = nil, durationMilliseconds: Int64) {
        self.id = id
        self.ok = ok
        self.error = error
        self.skipped = skipped
        self.warnings = warnings
        self.durationMilliseconds = durationMilliseconds
    }
    enum CodingKeys: String, CodingKey { case id, ok, error, skipped, warnings, durationMilliseconds = "duration_ms" }
}

/// The body of an `end` record.
public struct ConvergenceEnd: Sendable, Hashable, Codable {
    /// The seq of the matching `begin`.
    public var beginSeq: Int64
    public var outcome: ConvergenceOutcome
    /// Why, for rejected, failed and interrupted convergences.
    public var reason: String?
    public var results: [OperationResult]
    /// Image reference → resolved digest.
    public var imageDigests: [String: String]
    public var durationMilliseconds: Int64

    public init(beginSeq: Int64, outcome: ConvergenceOutcome, reason: String? = nil, results: [OperationResult] = [],
                imageDigests: [String: String] = [:], durationMilliseconds: Int64) {
        self.beginSeq = beginSeq
        self.outcome = outcome
        self.reason = reason
        self.results = results
        self.imageDigests = imageDigests
        self.durationMilliseconds = durationMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case beginSeq = "begin_seq", outcome, reason, results, imageDigests = "image_digests", durationMilliseconds = "duration_ms"
    }
}

/// The body of the `genesis` record.
public struct JournalGenesis: Sendable, Hashable, Codable {
    /// `/etc/machine-id` or another stable host identity.
    public var hostID: String
    public var hostname: String
    public var bosunVersion: String
    public init(hostID: String, hostname: String, bosunVersion: String) {
        self.hostID = hostID
        self.hostname = hostname
        self.bosunVersion = bosunVersion
    }
    enum CodingKeys: String, CodingKey { case hostID = "host_id", hostname, bosunVersion = "bosun_version" }
}

/// The body of a `checkpoint` record: checks ran and found nothing to do.
public struct JournalCheckpoint: Sendable, Hashable, Codable {
    /// How many checks found nothing to do since the last record.
    public var checks: Int64
    public var commitID: String?
    public init(checks: Int64, commitID: String?) {
        self.checks = checks
        self.commitID = commitID
    }
    enum CodingKeys: String, CodingKey { case checks, commitID = "commit_id" }
}

/// The body of a `repair` record: a torn last line was cut at start.
public struct JournalRepair: Sendable, Hashable, Codable {
    public var segment: String
    public var droppedBytes: Int64
    public init(segment: String, droppedBytes: Int64) {
        self.segment = segment
        self.droppedBytes = droppedBytes
    }
    enum CodingKeys: String, CodingKey { case segment, droppedBytes = "dropped_bytes" }
}
