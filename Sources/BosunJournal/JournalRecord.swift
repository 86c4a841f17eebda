public import BosunModel
import Crypto
public import BosunFailure

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
    /// The kind as written, when it is one this bosun does not know (`kind` is then `.unknown`): a record of a
    /// newer bosun, kept and verified like any other.
    public var unknownKind: String?
    public var previous: String
    public var body: JSONValue
    public var hash: String

    /// A new record chained after `previous`, with its hash computed.
    public init(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue) {
        self = JournalRecord.sealed(seq: seq, time: time, kind: kind, previous: previous, body: body).record
    }

    /// A new record and its line, the body serialised once for both.
    public static func sealed(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue) -> (record: JournalRecord, line: [UInt8]) {
        var record = JournalRecord(seq: seq, time: time, kind: kind, previous: previous, body: body, hash: "")
        let bodyBytes = body.canonicalBytes
        let rest = record.restBytes
        record.hash = ConfigHash.digest(unsignedBytes(bodyBytes: bodyBytes, rest: rest))
        return (record, line(bodyBytes: bodyBytes, hash: record.hash, rest: rest))
    }

    static func line(bodyBytes: [UInt8], hash: String, rest: [UInt8]) -> [UInt8] {
        Array(#"{"body":"#.utf8) + bodyBytes + Array(#","hash":""#.utf8) + Array(hash.utf8) + Array(#"","#.utf8) + rest + [0x0A]
    }

    /// A record with a known hash (as read, after checking it).
    init(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue, hash: String) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.previous = previous
        self.body = body
        self.hash = hash
    }

    /// The canonical members after the hash: `"kind":…,"prev":…,"seq":…,"time":…,"v":1}`.
    var restBytes: [UInt8] {
        let rest = JSONValue.object([
            "kind": .string(unknownKind ?? kind.rawValue), "prev": .string(previous), "seq": .int(seq), "time": .string(time), "v": .int(JournalRecord.version),
        ]).canonicalBytes
        return Array(rest.dropFirst())
    }

    /// `{"body":B,` + rest: the canonical record without its hash, which the hash is taken over.
    static func unsignedBytes(bodyBytes: [UInt8], rest: [UInt8]) -> [UInt8] {
        Array(#"{"body":"#.utf8) + bodyBytes + [UInt8(ascii: ",")] + rest
    }

    /// The line to append, newline included: the canonical record with `"hash"` between body and kind.
    public var line: [UInt8] {
        JournalRecord.line(bodyBytes: body.canonicalBytes, hash: hash, rest: restBytes)
    }

    /// The whole records of a segment's bytes, in order; damaged lines and a torn last line are skipped (the
    /// writer cuts a torn tail on open; `journal verify` reports damage). `bodies` says which kinds' bodies are
    /// parsed (the others stay `.null`): a reader that needs only some is spared the large `begin` bodies.
    public static func records(in bytes: [UInt8], bodies: ((RecordKind) -> Bool)? = nil) -> [JournalRecord] {
        var records: [JournalRecord] = []
        var start = 0
        while start < bytes.count, let end = bytes[start...].firstIndex(of: 0x0A) {
            let line = bytes[start..<end]
            if let bodies {
                // The kind is among the members after the hash: a line whose body is wanted is parsed again with it.
                if let record = try? parse(line: line, body: false) {
                    if !bodies(record.kind) { records.append(record) } else if let full = try? parse(line: line) { records.append(full) }
                }
            } else if let record = try? parse(line: line) {
                records.append(record)
            }
            start = end + 1
        }
        return records
    }

    /// Reads and checks one line (without its newline): its own hash and schema version. The chain (`seq`,
    /// `prev`) is checked by `ChainVerifier`. With `body: false` the body is not parsed (it stays `.null`),
    /// which is all verification needs.
    ///
    /// The hash covers the line's exact bytes minus its `,"hash":"…"` member, so any edit — even one that
    /// keeps the JSON valid and equivalent — is a mismatch.
    public static func parse(line: ArraySlice<UInt8>, body parseBody: Bool = true) throws(JournalRecordError) -> JournalRecord {
        let bytes = Array(line)
        let marker = Array(#","hash":""#.utf8)
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}"), bytes.starts(with: Array(#"{"body":"#.utf8)),
              let markerStart = lastIndex(of: marker, in: bytes) else {
            throw .malformed("not a journal record (no body or hash member)")
        }
        let hashStart = markerStart + marker.count
        guard let hashEnd = bytes[hashStart...].firstIndex(of: UInt8(ascii: "\"")) else { throw .malformed("unterminated hash") }
        let hash = String(decoding: bytes[hashStart..<hashEnd], as: UTF8.self)
        let computed = ConfigHash.digest(Array(bytes[..<markerStart]) + Array(bytes[(hashEnd + 1)...]))
        guard computed == hash else { throw .hashMismatch(stored: hash, computed: computed) }
        // The members after the hash: kind, prev, seq, time, v.
        guard let tail = JSONValue.parse([UInt8(ascii: "{")] + Array(bytes[(hashEnd + 2)...])) else {
            throw .malformed("the fields after the hash are not valid JSON")
        }
        guard tail["v"]?.intValue == version else { throw .malformed("schema version \(tail["v"].map { "\($0)" } ?? "missing"), expected \(version)") }
        guard let seq = tail["seq"]?.intValue, let time = tail["time"]?.stringValue,
              let kindText = tail["kind"]?.stringValue, let previous = tail["prev"]?.stringValue else {
            throw .malformed("a field is missing (kind, prev, seq, time)")
        }
        // A kind this bosun does not know (a newer bosun wrote it): kept as `.unknown`, its hash and place in the
        // chain checked like any other's, its body left to the bosun that knows it.
        let kind = RecordKind(rawValue: kindText).flatMap { $0 == .unknown ? nil : $0 } ?? .unknown
        var body = JSONValue.null
        if parseBody {
            guard let parsed = JSONValue.parse(Array(bytes[8..<markerStart])) else { throw .malformed("the body is not valid JSON") }
            body = parsed
        }
        var record = JournalRecord(seq: seq, time: time, kind: kind, previous: previous, body: body, hash: hash)
        if kind == .unknown { record.unknownKind = kindText }
        return record
    }

    static func lastIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.count - needle.count
        while index >= 0 {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
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
    /// The agent found live state that differs from the desired state (and whether it corrects it).
    case drift
    /// The agent restarted a container per its restart policy, or left it stopped, or found it crash-looping.
    case restart
    /// Containers an interrupted convergence left half created were swept (removed) before the next one.
    case sweep
    /// The health gate of each container a convergence created or recreated, before its end.
    case gate
    /// A project's failed desired state is held back: converged from its last good commit until it changes.
    case quarantine
    /// A quarantine ended: the project's desired state changed, or someone asked to retry it.
    case release
    /// A convergence returns projects to an earlier desired state (after a failed gate, or `bosun rollback`).
    case rollback
    /// A kind this bosun does not know, read from a journal a newer bosun wrote (`JournalRecord.unknownKind`
    /// has it); never written.
    case unknown = "(unknown)"
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

extension JournalRecordError: FailureDescribing {
    public var failure: Failure { Failure(action: "read a journal record", cause: description, handling: .fixHost) }
}
