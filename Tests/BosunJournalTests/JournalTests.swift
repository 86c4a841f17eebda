@testable import BosunJournal
import BosunModel
import BosunTestSupport
import Testing

@Suite("Journal appends")
struct JournalTests {
    @Test("the first record anchors the chain with the host and version")
    func genesis() throws {
        let storage = InMemoryJournalStorage()
        _ = try JournalFixtures.journal(storage)
        let lines = JournalFixtures.lines(try storage.read(JournalSegmentName.name(1)))
        #expect(lines.count == 1)
        let record = try JournalRecord.parse(line: lines[0].dropLast())
        #expect(record.kind == .genesis && record.seq == 1 && record.previous == JournalRecord.genesisPrevious)
        #expect(record.body["host_id"]?.stringValue == "0123456789abcdef")
        #expect(record.time == "2026-11-18T11:06:41.000Z")
    }

    @Test("a torn last line is cut at open and the repair is recorded")
    func tornTail() throws {
        let storage = InMemoryJournalStorage()
        try JournalFixtures.fill(try JournalFixtures.journal(storage), count: 6)
        let segment = JournalSegmentName.name(1)
        let whole = try storage.read(segment)
        storage.overwrite(segment, with: whole + Array(#"{"body":{"trig"#.utf8))
        let reopened = Journal(storage: storage, clock: JournalFixtures.Clock().tick, genesis: JournalFixtures.genesis)
        let report = try reopened.open()
        #expect(report.repairedBytes == 14)
        let history = ConvergenceHistory(segments: [try storage.read(segment)])
        #expect(history.records.last?.kind == .repair)
        #expect(history.records.last?.body["dropped_bytes"]?.intValue == 14)
        #expect(ChainVerifier().verify(segments: [(segment, try storage.read(segment))], head: storage.head).isIntact)
        #expect(storage.calls.contains("truncate \(segment) \(whole.count)"))
    }

    @Test("damage before the last line is refused at open instead of appended after")
    func corruptionRefused() throws {
        let storage = InMemoryJournalStorage()
        try JournalFixtures.fill(try JournalFixtures.journal(storage), count: 6)
        let segment = JournalSegmentName.name(1)
        var lines = JournalFixtures.lines(try storage.read(segment))
        lines[2][10] = UInt8(ascii: "X")
        storage.overwrite(segment, with: lines.flatMap { $0 })
        let reopened = Journal(storage: storage, clock: JournalFixtures.Clock().tick, genesis: JournalFixtures.genesis)
        #expect(throws: JournalError.self) { try reopened.open() }
    }

    @Test("a begin without an end is reported as an open (interrupted) convergence")
    func interrupted() throws {
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage)
        let seq = try journal.begin(JournalFixtures.begin(round: 1))
        let report = try Journal(storage: storage, clock: JournalFixtures.Clock().tick, genesis: JournalFixtures.genesis).open()
        #expect(report.openConvergence == seq)
        let history = ConvergenceHistory(segments: [try storage.read(JournalSegmentName.name(1))])
        #expect(history.convergences.count == 1 && history.convergences[0].outcome == nil)
    }

    @Test("idle checks write the last-check file each time and a checkpoint record once an interval")
    func checkpoints() throws {
        let storage = InMemoryJournalStorage()
        let clock = JournalFixtures.Clock()
        let journal = Journal(storage: storage, clock: clock.tick, genesis: JournalFixtures.genesis, checkpointIntervalMilliseconds: 60_000)
        try journal.open()
        for _ in 0..<200 { try journal.noteCheck(commitID: "abc") }  // 200 s of one-second polls
        let history = ConvergenceHistory(segments: [try storage.read(JournalSegmentName.name(1))])
        let checkpoints = history.records.filter { $0.kind == .checkpoint }
        #expect(checkpoints.count == 3)
        #expect(checkpoints.first?.body["checks"]?.intValue == 60)
        let lastCheck = String(decoding: storage.lastCheck ?? [], as: UTF8.self)
        #expect(lastCheck.contains(JournalTime.format(milliseconds: clock.now)))
    }

    @Test("service specs are stored once per segment and joined back for history")
    func specDeduplication() throws {
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage)
        let first = try journal.begin(JournalFixtures.begin(round: 1))
        let second = try journal.begin(JournalFixtures.begin(round: 1))
        let third = try journal.begin(JournalFixtures.begin(round: 2))
        let history = ConvergenceHistory(segments: [try storage.read(JournalSegmentName.name(1))])
        #expect(history.convergence(first)?.beginBody.specs.count == 1)
        #expect(history.convergence(second)?.beginBody.specs.isEmpty == true)
        #expect(history.convergence(third)?.beginBody.specs.count == 1)
        let a = try #require(history.convergence(first).flatMap(history.state(of:)))
        let c = try #require(history.convergence(third).flatMap(history.state(of:)))
        let diff = StateDiff(from: a, to: c)
        #expect(diff.changes.map(\.field) == ["image"])
        #expect(diff.changes.first?.new == "docker.io/library/nginx:1.2")
    }

    @Test("the specs remembered are bounded: past the limit a spec is stored again, and history still joins every state")
    func specMemoryIsBounded() throws {
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage)
        var seqs: [Int64] = []
        for round in 0...Journal.knownSpecsLimit { seqs.append(try journal.begin(JournalFixtures.begin(round: round))) }
        let again = try journal.begin(JournalFixtures.begin(round: 0))
        let history = ConvergenceHistory(segments: [try storage.read(JournalSegmentName.name(1))])
        #expect(history.convergence(again)?.beginBody.specs.count == 1)  // forgotten with the rest: stored again
        for seq in [seqs[0], seqs[Journal.knownSpecsLimit], again] { #expect(history.convergence(seq).flatMap(history.state(of:)) != nil) }
    }

    @Test("segments rotate by size and the chain continues across them")
    func rotation() throws {
        let storage = InMemoryJournalStorage()
        try JournalFixtures.fill(try JournalFixtures.journal(storage, maxSegmentBytes: 3000), count: 30)
        let names = try storage.segmentNames()
        #expect(names.count >= 5)
        #expect(storage.calls.filter { $0.hasPrefix("create") }.count == names.count)
        let reopened = Journal(storage: storage, clock: JournalFixtures.Clock().tick, genesis: JournalFixtures.genesis, maxSegmentBytes: 3000)
        #expect(try reopened.open().lastSeq == 31)
    }

    @Test("timestamps are UTC RFC 3339 with milliseconds, and parse back")
    func time() {
        #expect(JournalTime.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JournalTime.format(milliseconds: 951_782_400_123) == "2000-02-29T00:00:00.123Z")
        #expect(JournalTime.parse("2000-02-29T00:00:00.123Z") == 951_782_400_123)
        #expect(JournalTime.parse("2026-11-29") == JournalTime.parse("2026-11-29T00:00Z"))
        #expect(JournalTime.parse("2026-13-01") == nil)
        for ms: Int64 in [1, 86_399_999, 1_795_000_000_000, 4_102_444_800_000] {
            #expect(JournalTime.parse(JournalTime.format(milliseconds: ms)) == ms)
        }
    }
}
