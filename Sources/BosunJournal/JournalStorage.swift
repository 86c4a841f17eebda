public import BosunFailure

/// Where journal segments live: a directory on disk (`FileJournalStorage`) or memory (`InMemoryJournalStorage`).
///
/// Every method that changes a segment is durable when it returns (written and synced); creating a segment
/// also syncs the directory. Segment names sort in journal order.
public protocol JournalStorage: AnyObject {
    /// The segment names in journal order.
    func segmentNames() throws -> [String]
    func read(_ segment: String) throws -> [UInt8]
    /// Appends and syncs.
    func append(_ bytes: [UInt8], to segment: String) throws
    /// Creates an empty segment and syncs the directory.
    func createSegment(_ segment: String) throws
    /// Cuts a segment to `length` bytes and syncs.
    func truncate(_ segment: String, to length: Int) throws
    /// The last known head (seq and hash), written after each append; nil when absent or unreadable.
    func readHead() -> JournalHead?
    /// Replaces the head atomically; it may lag after a crash, never lead.
    func writeHead(_ head: JournalHead) throws
    /// Replaces the small "last successful check" file (time and commit), not part of the chain.
    func writeLastCheck(_ bytes: [UInt8]) throws
    func readLastCheck() -> [UInt8]?
    /// The journal's small index (`AppliedIndex`), replaced atomically; nil when absent.
    func readIndex() -> [UInt8]?
    func writeIndex(_ bytes: [UInt8]) throws
    /// Whether the filesystem is full: the last writes needed the space held in reserve for recording failures,
    /// and it could not be held back again yet. A convergence then records itself as failed and changes nothing.
    var isOnReserve: Bool { get }
}

extension JournalStorage {
    /// A storage without a reserve is never on it.
    public var isOnReserve: Bool { false }
}

/// The newest record's sequence number and hash, kept beside the journal so a cut-off tail is detected.
public struct JournalHead: Sendable, Hashable, Codable {
    public var seq: Int64
    public var hash: String
    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}

/// Segment file names: `journal-000001.jsonl`, …
public enum JournalSegmentName {
    public static func name(_ index: Int) -> String {
        let digits = String(index)
        return "journal-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jsonl"
    }

    public static func index(of name: String) -> Int? {
        guard name.hasPrefix("journal-"), name.hasSuffix(".jsonl") else { return nil }
        return Int(name.dropFirst(8).dropLast(6))
    }
}

/// A journal kept in memory, recording every call: for tests of code that writes the journal.
public final class InMemoryJournalStorage: JournalStorage {
    public private(set) var segments: [(name: String, bytes: [UInt8])] = []
    public private(set) var head: JournalHead?
    public private(set) var lastCheck: [UInt8]?
    /// The stored index; tests may replace or drop it.
    public var index: [UInt8]?
    /// Every call, in order: `append journal-000001.jsonl 312`, `create …`, `truncate …`.
    public private(set) var calls: [String] = []
    /// What `isOnReserve` answers (tests of a full filesystem).
    public var isOnReserve = false

    public init() {}

    public func segmentNames() throws -> [String] { segments.map(\.name) }

    public func read(_ segment: String) throws -> [UInt8] {
        guard let found = segments.first(where: { $0.name == segment }) else { throw JournalError.storage("no segment \(segment)") }
        return found.bytes
    }

    public func append(_ bytes: [UInt8], to segment: String) throws {
        guard let index = segments.firstIndex(where: { $0.name == segment }) else { throw JournalError.storage("no segment \(segment)") }
        segments[index].bytes += bytes
        calls.append("append \(segment) \(bytes.count)")
    }

    public func createSegment(_ segment: String) throws {
        segments.append((segment, []))
        calls.append("create \(segment)")
    }

    public func truncate(_ segment: String, to length: Int) throws {
        guard let index = segments.firstIndex(where: { $0.name == segment }) else { throw JournalError.storage("no segment \(segment)") }
        segments[index].bytes = Array(segments[index].bytes.prefix(length))
        calls.append("truncate \(segment) \(length)")
    }

    public func readHead() -> JournalHead? { head }
    public func writeHead(_ head: JournalHead) throws { self.head = head }
    public func writeLastCheck(_ bytes: [UInt8]) throws { lastCheck = bytes }
    public func readLastCheck() -> [UInt8]? { lastCheck }
    public func readIndex() -> [UInt8]? { index }
    public func writeIndex(_ bytes: [UInt8]) throws { index = bytes }

    /// Replaces a segment's bytes, as damage or an attacker would (for tests).
    public func overwrite(_ segment: String, with bytes: [UInt8]) {
        if let index = segments.firstIndex(where: { $0.name == segment }) { segments[index].bytes = bytes }
    }
}

/// Why the journal could not be read or written.
public enum JournalError: Error, Sendable, CustomStringConvertible {
    case storage(String)
    /// A record other than the last is damaged: the journal refuses to append after it.
    case corrupt(JournalProblem)

    public var description: String {
        switch self {
        case .storage(let message): return message
        case .corrupt(let problem): return "the journal is damaged: \(problem); run bosun journal verify"
        }
    }
}

extension JournalError: FailureDescribing {
    public var failure: Failure {
        switch self {
        case .storage(let message): Failure(action: "write the journal", cause: message, handling: .fixHost)
        case .corrupt(let problem):
            Failure(action: "append to the journal", cause: "the journal is damaged: \(problem)", hint: "run bosun journal verify", handling: .fixHost)
        }
    }
}
