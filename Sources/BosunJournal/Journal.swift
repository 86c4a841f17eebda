public import BosunModel

/// The append side of the journal: opens (cutting a torn tail left by a crash), chains each new record to
/// the last, rotates segments by size, and keeps "nothing to do" checks from growing the file without bound.
///
/// Not thread-safe: one owner (the agent's journal actor) calls it.
public final class Journal {
    public let storage: any JournalStorage
    let clock: () -> Int64
    let genesis: JournalGenesis
    let maxSegmentBytes: Int
    let checkpointIntervalMilliseconds: Int64

    private(set) var lastSeq: Int64 = 0
    private(set) var lastHash = JournalRecord.genesisPrevious
    private(set) var lastRecordTime: Int64 = 0
    private var currentSegment = ""
    private var currentSegmentBytes = 0
    private var uncheckpointedChecks: Int64 = 0
    /// Keys of the service specs already stored in the current segment.
    private var knownSpecs: Set<String> = []
    /// At most this many keys are remembered: an agent converging for months meets new specs with every
    /// changed service, and a 16 MiB segment can name tens of thousands. Past it the set starts again, and
    /// specs are stored once more (readers join the specs of every segment, so a repeat costs only bytes).
    static let knownSpecsLimit = 1024
    /// The seq of a `begin` with no `end` found at open: an interrupted convergence.
    public private(set) var openConvergence: Int64?
    /// The last applied commit per repository and the state directory's source, current with every record.
    public private(set) var index = AppliedIndex()
    /// While opening: the stored index and whether the scan met the record it is current up to.
    private var replay: (index: AppliedIndex, synced: Bool)?
    private var indexLive = false
    private var savedIndex: [UInt8]?

    /// The host's journal identity: when set, every `end` and the `genesis` are signed with it.
    public var signingKey: JournalSigningKey?

    /// `clock` gives milliseconds since the epoch; `genesis` is written when the journal is empty.
    public init(storage: any JournalStorage, clock: @escaping () -> Int64, genesis: JournalGenesis,
                maxSegmentBytes: Int = 16 << 20, checkpointIntervalMilliseconds: Int64 = 3_600_000) {
        self.storage = storage
        self.clock = clock
        self.genesis = genesis
        self.maxSegmentBytes = maxSegmentBytes
        self.checkpointIntervalMilliseconds = checkpointIntervalMilliseconds
    }

    /// What opening found.
    public struct OpenReport: Sendable {
        /// Bytes cut from a torn last line, if any (a `repair` record says so too).
        public var repairedBytes: Int
        public var lastSeq: Int64
        public var openConvergence: Int64?
    }

    /// Reads the newest segment, cuts a torn last line (recording the repair), writes genesis when empty.
    /// Throws `JournalError.corrupt` when a record other than the last is damaged.
    @discardableResult
    public func open() throws -> OpenReport {
        try open(repairing: true)
    }

    /// `repairing` false (catching up with another writer): a torn last line is not cut — it may be a record
    /// that writer is still appending — and opening fails instead.
    private func open(repairing: Bool) throws -> OpenReport {
        savedIndex = storage.readIndex()
        if let stored = savedIndex.flatMap(AppliedIndex.decoded) { replay = (stored, false) }
        var names = try storage.segmentNames()
        if names.isEmpty {
            currentSegment = JournalSegmentName.name(1)
            try storage.createSegment(currentSegment)
            names = [currentSegment]
        }
        currentSegment = names.last!
        var bytes = try storage.read(currentSegment)
        // The newest segment may be empty right after a rotation: the chain continues from the one before.
        if bytes.isEmpty, names.count > 1 {
            try scan(segment: names[names.count - 2], bytes: storage.read(names[names.count - 2]), isLast: false)
        }
        let cut = try scan(segment: currentSegment, bytes: bytes, isLast: true)
        var repaired = 0
        if cut < bytes.count {
            guard repairing else {
                throw JournalError.storage("the journal's last line in \(currentSegment) is incomplete: another process is writing it; try again")
            }
            repaired = bytes.count - cut
            try storage.truncate(currentSegment, to: cut)
            bytes = Array(bytes.prefix(cut))
        }
        currentSegmentBytes = bytes.count
        if let replay, replay.synced || (lastSeq == 0 && replay.index.head == nil) {
            index = replay.index
        } else {
            index = try rebuiltIndex()
        }
        replay = nil
        indexLive = true
        try saveIndex()
        if lastSeq == 0 {
            try append(.genesis, JSONValue.encoding(genesis))
        }
        if repaired > 0 {
            try append(.repair, JSONValue.encoding(JournalRepair(segment: currentSegment, droppedBytes: Int64(repaired))))
        }
        return OpenReport(repairedBytes: repaired, lastSeq: lastSeq, openConvergence: openConvergence)
    }

    /// Reads the chain's end again when another process appended since this one opened it (`bosun apply`
    /// beside the agent): call with the convergence lock held, before appending. Cheap when nothing changed
    /// (one read of the head file).
    public func catchUp() throws {
        guard let head = storage.readHead(), head.seq != lastSeq || head.hash != lastHash else { return }
        lastSeq = 0
        lastHash = JournalRecord.genesisPrevious
        lastRecordTime = 0
        openConvergence = nil
        knownSpecs = []
        indexLive = false
        _ = try open(repairing: false)
    }

    /// Takes in the index another process stored since, when it is ahead of this one's (read-only: for what a
    /// cycle asks before it holds the lock).
    public func refreshIndex() {
        guard let bytes = storage.readIndex(), bytes != savedIndex, let stored = AppliedIndex.decoded(bytes),
              let theirs = stored.head, theirs.seq > (index.head?.seq ?? 0) else { return }
        index = stored
    }

    /// Reads the records of a segment to find the chain's end; returns how many bytes are whole records.
    @discardableResult
    private func scan(segment: String, bytes: [UInt8], isLast: Bool) throws -> Int {
        var start = 0
        var line = 0
        while start < bytes.count {
            line += 1
            guard let end = bytes[start...].firstIndex(of: 0x0A) else { return start }  // torn: no newline
            let record: JournalRecord
            do { record = try JournalRecord.parse(line: bytes[start..<end]) } catch {
                // Only the very last line may be damaged by a crash; anything before it is corruption.
                if isLast && end == bytes.count - 1 { return start }
                throw JournalError.corrupt(JournalProblem(segment: segment, line: line, expectedSeq: lastSeq + 1, message: error.description))
            }
            if lastSeq > 0 && (record.seq != lastSeq + 1 || record.previous != lastHash) {
                throw JournalError.corrupt(JournalProblem(segment: segment, line: line, expectedSeq: lastSeq + 1, message: "the chain is broken here"))
            }
            note(record)
            start = end + 1
        }
        return start
    }

    private func note(_ record: JournalRecord) {
        lastSeq = record.seq
        lastHash = record.hash
        lastRecordTime = JournalTime.parse(record.time) ?? lastRecordTime
        switch record.kind {
        case .begin:
            openConvergence = record.seq
            if case .object(let specs)? = record.body["specs"] {
                knownSpecs.formUnion(specs.keys)
                if knownSpecs.count > Self.knownSpecsLimit { knownSpecs = [] }
            }
        case .end:
            if record.body["begin_seq"]?.intValue == openConvergence { openConvergence = nil }
        default: break
        }
        if indexLive {
            index.note(record)
        } else if var replaying = replay {
            if replaying.synced {
                replaying.index.note(record)
            } else if let head = replaying.index.head, head.seq == record.seq {
                replaying.synced = head.hash == record.hash
            }
            replay = replaying
        }
    }

    /// The index built from every segment: when the stored one is missing, of another format, or not current
    /// with the chain (written by nothing, lost, or left behind by a rotation).
    private func rebuiltIndex() throws -> AppliedIndex {
        var index = AppliedIndex()
        for name in try storage.segmentNames() {
            for record in JournalRecord.records(in: try storage.read(name)) { index.note(record) }
        }
        return index
    }

    /// Stores the index when it changed since last stored.
    private func saveIndex() throws {
        let bytes = JSONValue.encoding(index).canonicalBytes
        guard bytes != savedIndex else { return }
        try storage.writeIndex(bytes)
        savedIndex = bytes
    }

    /// Appends one record durably and returns it.
    @discardableResult
    public func append(_ kind: RecordKind, _ body: JSONValue) throws -> JournalRecord {
        guard kind != .unknown else { throw JournalError.storage("a record of an unknown kind is only ever read, never written") }
        let now = clock()
        let time = JournalTime.format(milliseconds: now)
        var body = body
        if let signingKey, JournalPublicKey.signedKinds.contains(kind), case .object(var fields) = body {
            fields["signature"] = try signingKey.signature(seq: lastSeq + 1, time: time, kind: kind, previous: lastHash, body: body)
            body = .object(fields)
        }
        let (record, line) = JournalRecord.sealed(seq: lastSeq + 1, time: time, kind: kind, previous: lastHash, body: body)
        if currentSegmentBytes > 0 && currentSegmentBytes + line.count > maxSegmentBytes {
            let next = (JournalSegmentName.index(of: currentSegment) ?? 0) + 1
            currentSegment = JournalSegmentName.name(next)
            try storage.createSegment(currentSegment)
            currentSegmentBytes = 0
            knownSpecs = []
        }
        try storage.append(line, to: currentSegment)
        currentSegmentBytes += line.count
        note(record)
        try storage.writeHead(JournalHead(seq: record.seq, hash: record.hash))
        // The stored index follows ends (what it is for) and each segment's first record (opening replays only
        // the newest segment's records after the index's head).
        if [.end, .quarantine, .release].contains(kind) || currentSegmentBytes == line.count { try saveIndex() }
        return record
    }

    /// Records the start of a convergence. Each service spec of the desired state is stored once per segment
    /// and referenced by key afterwards, so a 200-service host does not write 200 specs per convergence.
    /// Returns the begin record's seq, which the `end` names.
    public func begin(_ body: ConvergenceBegin) throws -> Int64 {
        var body = body
        var specs = body.specs
        let skeleton = body.state.map { state in
            SpecStore.split(state) { key, spec in
                if knownSpecs.count >= Self.knownSpecsLimit { knownSpecs = [] }
                if knownSpecs.insert(key).inserted { specs[key] = spec }
            }
        }
        // The state and specs are JSON already: set them on the encoded body rather than encode them again.
        body.state = nil
        body.specs = [:]
        guard case .object(var fields) = JSONValue.encoding(body) else { throw JournalError.storage("cannot encode the begin record") }
        if let skeleton { fields["state"] = skeleton }
        fields["specs"] = .object(specs)
        return try append(.begin, .object(fields)).seq
    }

    /// The record `seq`, looked for from the newest segment back (what is asked is recent: an open convergence).
    public func record(seq: Int64) throws -> JournalRecord? {
        for name in try storage.segmentNames().reversed() {
            let records = JournalRecord.records(in: try storage.read(name))
            if let found = records.first(where: { $0.seq == seq }) { return found }
            if let first = records.first, first.seq < seq { return nil }
        }
        return nil
    }

    /// Records the end of the convergence `body.beginSeq`.
    public func end(_ body: ConvergenceEnd) throws {
        try append(.end, JSONValue.encoding(body))
    }

    /// Notes a check that found nothing to do: the last-check file always says when; a `checkpoint` record is
    /// added only when nothing was recorded for the checkpoint interval, so idle polling grows the file slowly.
    public func noteCheck(commitID: String?) throws {
        let now = clock()
        uncheckpointedChecks += 1
        let text = "{\"commit_id\":\(commitID.map { "\"\($0)\"" } ?? "null"),\"seq\":\(lastSeq),\"time\":\"\(JournalTime.format(milliseconds: now))\"}\n"
        try storage.writeLastCheck(Array(text.utf8))
        if now - lastRecordTime >= checkpointIntervalMilliseconds {
            try append(.checkpoint, JSONValue.encoding(JournalCheckpoint(checks: uncheckpointedChecks, commitID: commitID)))
            uncheckpointedChecks = 0
        }
    }
}
