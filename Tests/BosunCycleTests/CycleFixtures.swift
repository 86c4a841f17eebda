import BosunConverge
import BosunCycle
import BosunGit
import BosunJournal
import BosunManifest
import BosunModel
import BosunSource
import Synchronization
import BosunTestSupport

/// A source in memory: commits by id, the one `ref` points at, and every `open` it was asked for.
final class MemorySource: DesiredStateSource, @unchecked Sendable {
    let origin: SourceOrigin
    private let state = Mutex<(commits: [String: [String: String]], head: String?, failure: String?, opens: [String?])>(([:], nil, nil, []))

    init(location: String, path: String = "", isRepository: Bool = true) {
        origin = SourceOrigin(location: location, path: path, isRepository: isRepository)
    }

    /// A full commit id from a short hex name: "c1" → "000…0c1".
    static func id(_ short: String) -> String { String(repeating: "0", count: 40 - short.count) + short }

    /// Makes `files` the commit `short` (hex, padded to a full id) and points the ref at it.
    func commit(_ short: String, _ files: [String: String]) {
        let id = Self.id(short)
        state.withLock { $0.commits[id] = files; $0.head = id; $0.failure = nil }
    }
    /// The next opens fail with `message` (a forge that is down).
    func fail(_ message: String) { state.withLock { $0.failure = message } }
    /// The last-applied commit each open was given (short names), in order.
    var opens: [String?] { state.withLock { $0.opens } }

    func open(lastApplied: GitCommitID?, keeping: [GitCommitID], allowRewind: Bool) async throws -> SourceReader.Opened {
        let (files, head, failure) = state.withLock { state in
            state.opens.append(lastApplied.map { String($0.hex.drop { $0 == "0" }) })
            return (state.head.flatMap { state.commits[$0] }, state.head, state.failure)
        }
        if let failure { throw CycleTestError(message: failure) }
        guard let files, let head else { throw CycleTestError(message: "no commit") }
        return opened(files, head)
    }

    func open(commit: GitCommitID) async throws -> SourceReader.Opened {
        guard let files = state.withLock({ $0.commits[commit.hex] }) else { throw CycleTestError(message: "no commit \(commit)") }
        return opened(files, commit.hex)
    }

    private func opened(_ files: [String: String], _ head: String) -> SourceReader.Opened {
        let revision = origin.isRepository ? SourceRevision(repositoryURL: origin.location, ref: "main", commitID: head,
                                                            author: .init(name: "a", email: "a@example.org", time: 0, offsetMinutes: 0),
                                                            committer: .init(name: "a", email: "a@example.org", time: 0, offsetMinutes: 0), subject: "commit \(head)") : nil
        return SourceReader.Opened(tree: InMemoryFileTree(displayName: "memory", files: files.mapValues { Array($0.utf8) }), path: origin.path ?? "",
                                   revision: revision, rootName: "memory")
    }
}

/// A thrown test failure.
struct CycleTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The cycle's host effects, recorded: `lock`, `release`, `publish COMMIT`.
final class RecordingCycleHost: CycleHost, @unchecked Sendable {
    private let log = Mutex<[String]>([])
    var calls: [String] { log.withLock { $0 } }

    func lock() async throws -> any CycleLock {
        log.withLock { $0.append("lock") }
        return Held(host: self)
    }

    func publish(_ opened: SourceReader.Opened, alongside others: [SourceReader.Opened]) throws {
        let names = ([opened] + others).map { $0.revision?.commitID ?? "directory" }
        log.withLock { $0.append("publish " + names.joined(separator: " ")) }
    }

    struct Held: CycleLock {
        let host: RecordingCycleHost
        func release() { host.log.withLock { $0.append("release") } }
    }
}

/// A journal in memory with a fixed clock, and cycles on it.
struct CycleBench {
    let storage = InMemoryJournalStorage()
    let journal: Journal
    let engine = RecordingEngine()
    let host = RecordingCycleHost()

    init() {
        journal = Journal(storage: storage, clock: { 1_700_000_000_000 }, genesis: JournalGenesis(hostID: "h", hostname: "edge", bosunVersion: "test"))
        try! journal.open()
    }

    func cycle(_ source: MemorySource, journalRepeats: Bool = true) -> ConvergenceCycle {
        var convergence = Convergence(engine: engine, journal: journal, redactor: SecretRedactor(salt: Array("salt".utf8)), clock: { 1_700_000_000_000 })
        convergence.gate = HealthGate.stepping(engine)
        return ConvergenceCycle(source: source, convergence: convergence, loadOptions: LoadOptions(hostCPUCount: 2), host: host, journalRepeats: journalRepeats)
    }

    /// The journal's records as `kind` or `end OUTCOME`.
    var records: [String] {
        let bytes = storage.segments.flatMap(\.bytes)
        return bytes.split(separator: 0x0A).compactMap { try? JournalRecord.parse(line: $0) }.map { record in
            record.kind == .end ? "end \(record.body["outcome"]?.stringValue ?? "?")" : record.kind.rawValue
        }
    }

    /// The bodies of the records of `kind`.
    func bodies(_ kind: RecordKind) -> [JSONValue] {
        storage.segments.flatMap(\.bytes).split(separator: 0x0A).compactMap { try? JournalRecord.parse(line: $0) }.filter { $0.kind == kind }.map(\.body)
    }

    /// The begin records' bodies.
    var begins: [JSONValue] {
        storage.segments.flatMap(\.bytes).split(separator: 0x0A).compactMap { try? JournalRecord.parse(line: $0) }.filter { $0.kind == .begin }.map(\.body)
    }
}

enum Compose {
    static func web(_ image: String = "nginx:1.27") -> [String: String] {
        ["compose.yaml": "name: site\nservices:\n  web: {image: \"\(image)\"}\n"]
    }

    /// Two projects, `site` (web) and `shop` (api), each in its own directory.
    static func two(web: String, api: String) -> [String: String] {
        ["site/compose.yaml": "services:\n  web: {image: \"\(web)\"}\n", "shop/compose.yaml": "services:\n  api: {image: \"\(api)\"}\n"]
    }
}
