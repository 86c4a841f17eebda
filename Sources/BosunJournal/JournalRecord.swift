public import BosunModel
import Crypto

/// One line of the journal: a sequence number, a time, a kind, a body, and the hash chain.
///
/// The line is the canonical JSON of `{"body","hash","kind","prev","seq","time","v"}`; `hash` is the
/// SHA-256 of the canonical JSON of the same object without `hash`. See docs/journal-format.md.
public struct JournalRecord: Sendable, Hashable {
    /// The schema version this code writes and reads.
    public static let version: Int64 = 1
    /// The `prev` of the first record.
    public static let genesisPrevious = "sha256:" + String(repeating: "0", count: 64)

    public var seq: Int64
    /// UTC, RFC 3339 with milliseconds: `2026-11-29T06:52:07.123Z`.
    public var time: String
    public var kind: RecordKind
    public var previous: String
    public var body: JSONValue
    public var hash: String

    /// A new record chained after `previous`, with its hash computed.
    public init(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.previous = previous
        self.body = body
        self.hash = ""
        self.hash = JournalRecord.hash(of: unsignedObject)
    }

    var unsignedObject: JSONValue {
        .object([
            "v": .int(JournalRecord.version), "seq": .int(seq), "time": .string(time), "kind": .string(kind.rawValue),
            "prev": .string(previous), "body": body,
        ])
    }

    static func hash(of object: JSONValue) -> String {
        ConfigHash.digest(object.canonicalBytes)
    }

    /// The line to append, newline included.
    public var line: [UInt8] {
        guard case .object(var fields) = unsignedObject else { return [] }
        fields["hash"] = .string(hash)
        return JSONValue.object(fields).canonicalBytes + [0x0A]
    }

    /// Reads and checks one line (without its newline): canonical form, schema version and own hash.
    /// The chain (`seq`, `prev`) is checked by `ChainVerifier`.
    public static func parse(line: ArraySlice<UInt8>) throws(JournalRecordError) -> JournalRecord {
        let bytes = Array(line)
        guard let value = JSONValue.parse(bytes), case .object(var fields) = value else {
            throw .malformed("not a JSON object")
        }
        guard value.canonicalBytes == bytes else { throw .malformed("not in canonical form (the line was edited)") }
        guard fields["v"]?.intValue == version else { throw .malformed("schema version \(fields["v"].map { "\($0)" } ?? "missing"), expected \(version)") }
        guard let seq = fields["seq"]?.intValue, let time = fields["time"]?.stringValue,
              let kindText = fields["kind"]?.stringValue, let previous = fields["prev"]?.stringValue,
              let hash = fields["hash"]?.stringValue, let body = fields["body"] else {
            throw .malformed("a field is missing (seq, time, kind, prev, hash, body)")
        }
        guard let kind = RecordKind(rawValue: kindText) else { throw .malformed("unknown kind \"\(kindText)\"") }
        fields["hash"] = nil
        let computed = JournalRecord.hash(of: .object(fields))
        guard computed == hash else { throw .hashMismatch(stored: hash, computed: computed) }
        var record = JournalRecord(seq: seq, time: time, kind: kind, previous: previous, body: body)
        record.hash = hash
        return record
    }
}

/// What kind of event a record is.
public enum RecordKind: String, Sendable, Hashable, CaseIterable {
    /// The first record: host identity and bosun version; anchors the chain.
    case genesis
    /// A convergence starts: trigger, source, desired state, plan.
    case begin
    /// A convergence ends: results, digests, outcome.
    case end
    /// A periodic mark that checks ran and found nothing to do.
    case checkpoint
    /// A torn last line was cut after a crash.
    case repair
}

/// Why a journal line is not a valid record.
public enum JournalRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case hashMismatch(stored: String, computed: String)

    public var description: String {
        switch self {
        case .malformed(let why): return why
        case .hashMismatch(let stored, let computed): return "hash mismatch: stored \(stored.prefix(19))…, computed \(computed.prefix(19))… (the record was edited)"
        }
    }
}
