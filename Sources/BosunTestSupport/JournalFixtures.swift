public import BosunJournal
import BosunModel

/// Journals built in memory with a fake clock, for the pure tests.
public enum JournalFixtures {
    public static let genesis = JournalGenesis(hostID: "0123456789abcdef", hostname: "edge-01", bosunVersion: "test")

    /// A clock that advances one second per reading.
    public final class Clock {
        public init() {}
        public var now: Int64 = 1_795_000_000_000
        public func tick() -> Int64 {
            now += 1000
            return now
        }
    }

    public static func journal(_ storage: any JournalStorage = InMemoryJournalStorage(), clock: Clock = Clock(),
                        maxSegmentBytes: Int = 16 << 20) throws -> Journal {
        let journal = Journal(storage: storage, clock: clock.tick, genesis: genesis, maxSegmentBytes: maxSegmentBytes)
        try journal.open()
        return journal
    }

    public static func begin(round: Int, secret: String = "hunter2", redactor: SecretRedactor = SecretRedactor(salt: [1, 2, 3])) -> ConvergenceBegin {
        var service = Service(name: "web", image: try! ImageReference(parsing: "nginx:1.\(round)"))
        service.environment = ["PASSWORD": secret, "MODE": "prod"]
        let state = DesiredState(projects: [Project(name: "demo", files: ["demo/compose.yaml"], services: [service], networks: [], volumes: [], secrets: [])])
        let signature = SourceRevision.Signature(name: "A", email: "a@example.invalid", time: 1_790_000_000, offsetMinutes: 60)
        return ConvergenceBegin(
            trigger: .poll,
            source: SourceRevision(repositoryURL: "https://git.example.invalid/r.git", ref: "refs/heads/main",
                                   commitID: String(repeating: "a", count: 40), author: signature, committer: signature, subject: "round \(round)"),
            desiredStateHash: ConfigHash.of(state), services: ["demo/web": ConfigHash.of(service)], state: redactor.redact(state),
            planHash: "sha256:" + String(repeating: "1", count: 64),
            operations: [RecordedOperation(id: 0, resource: "demo/web", kind: "recreate", cause: "image changed",
                                           changes: [FieldChange(field: "environment.PASSWORD", old: redactor.value("old-" + secret, sensitive: true),
                                                                 new: redactor.value(secret, sensitive: true))])])
    }

    /// Appends `count` records (begin/end pairs) to a journal.
    public static func fill(_ journal: Journal, count: Int) throws {
        var round = 0
        var written = 0
        while written < count {
            round += 1
            let seq = try journal.begin(begin(round: round))
            written += 1
            if written < count {
                try journal.end(ConvergenceEnd(beginSeq: seq, outcome: .converged, results: [OperationResult(id: 0, ok: true, durationMilliseconds: 5)],
                                               durationMilliseconds: 10))
                written += 1
            }
        }
    }

    /// The lines of a segment (each with its newline).
    public static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in bytes {
            current.append(byte)
            if byte == 0x0A { result.append(current); current = [] }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
