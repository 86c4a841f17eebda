import BosunJournal
import BosunModel
import BosunTestSupport
import Testing

/// Random journals, then one kind of damage each: `verify` must name the exact record every time.
@Suite("Tamper detection")
struct TamperDetectionTests {
    struct Random {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    func journalLines(records: Int, seed: UInt64) throws -> (InMemoryJournalStorage, [[UInt8]]) {
        let storage = InMemoryJournalStorage()
        try JournalFixtures.fill(try JournalFixtures.journal(storage), count: records)
        let lines = JournalFixtures.lines(try storage.read(JournalSegmentName.name(1)))
        return (storage, lines)
    }

    func verify(_ lines: [[UInt8]], head: JournalHead? = nil) -> JournalVerification {
        ChainVerifier().verify(segments: [(JournalSegmentName.name(1), lines.flatMap { $0 })], head: head)
    }

    @Test("a record of a kind this bosun does not know (a newer bosun wrote it) is kept, verified and chained after")
    func unknownKind() throws {
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage)
        try JournalFixtures.fill(journal, count: 3)
        let last = try #require(JournalRecord.records(in: try storage.read(JournalSegmentName.name(1))).last)
        // What a newer bosun appends: a kind of its own, chained and hashed as every record is.
        let body = Array(#"{"note":"from the future"}"#.utf8)
        let rest = Array(#""kind":"future-kind","prev":"\#(last.hash)","seq":\#(last.seq + 1),"time":"2026-12-07T20:00:00.000Z","v":1}"#.utf8)
        let hash = ConfigHash.digest(Array(#"{"body":"#.utf8) + body + Array(",".utf8) + rest)
        try storage.append(Array(#"{"body":"#.utf8) + body + Array(#","hash":""#.utf8) + Array(hash.utf8) + Array(#"","#.utf8) + rest + [0x0A],
                           to: JournalSegmentName.name(1))
        try storage.writeHead(JournalHead(seq: last.seq + 1, hash: hash))

        let reopened = try JournalFixtures.journal(storage)
        try reopened.append(.checkpoint, JSONValue.encoding(JournalCheckpoint(checks: 1, commitID: nil)))
        let records = JournalRecord.records(in: try storage.read(JournalSegmentName.name(1)))
        let future = try #require(records.first { $0.seq == last.seq + 1 })
        #expect(future.kind == .unknown && future.unknownKind == "future-kind" && future.hash == hash)
        #expect(future.line == JournalFixtures.lines(try storage.read(JournalSegmentName.name(1)))[Int(future.seq - 1)], "written back byte for byte")
        #expect(records.last?.previous == hash, "the next record chains after it")
        #expect(verify(JournalFixtures.lines(try storage.read(JournalSegmentName.name(1)))).problem == nil)
        #expect(throws: JournalError.self) { try reopened.append(.unknown, .null) }
    }

    @Test("an untouched journal verifies")
    func intact() throws {
        let (storage, lines) = try journalLines(records: 30, seed: 1)
        let result = verify(lines, head: storage.head)
        #expect(result.isIntact && result.records == 31 && result.tornTail == nil)
    }

    @Test("a flipped byte is found in its record", arguments: 0..<25)
    func flippedByte(seed: Int) throws {
        var random = Random(state: UInt64(seed) + 11)
        var (_, lines) = try journalLines(records: 10 + random.below(30), seed: UInt64(seed))
        let index = random.below(lines.count)
        let position = random.below(lines[index].count - 1)  // not the newline
        var replacement = UInt8(random.below(256))
        if replacement == lines[index][position] || replacement == 0x0A { replacement = lines[index][position] == 0x41 ? 0x42 : 0x41 }
        lines[index][position] = replacement
        let problem = try #require(verify(lines).problem)
        #expect(problem.line == index + 1)
        #expect(problem.expectedSeq == Int64(index + 1))
    }

    @Test("a deleted record is found where the chain breaks", arguments: 0..<15)
    func deleted(seed: Int) throws {
        var random = Random(state: UInt64(seed) + 101)
        var (storage, lines) = try journalLines(records: 10 + random.below(20), seed: UInt64(seed))
        let index = random.below(lines.count)
        lines.remove(at: index)
        let result = verify(lines, head: storage.head)
        let problem = try #require(result.problem)
        // The record now at the deleted one's place (or, for the last, the head file) names the gap.
        #expect(problem.line == index + 1)
        #expect(problem.expectedSeq == Int64(index + 1))
    }

    @Test("two swapped records are found at the first of them", arguments: 0..<15)
    func swapped(seed: Int) throws {
        var random = Random(state: UInt64(seed) + 202)
        var (_, lines) = try journalLines(records: 10 + random.below(20), seed: UInt64(seed))
        let a = random.below(lines.count - 1)
        let b = a + 1 + random.below(lines.count - a - 1)
        lines.swapAt(a, b)
        let problem = try #require(verify(lines).problem)
        #expect(problem.line == a + 1)
    }

    @Test("a journal cut in the middle of a record is found, through the head file")
    func truncated() throws {
        for seed in 0..<15 {
            var random = Random(state: UInt64(seed) + 303)
            let (storage, lines) = try journalLines(records: 10 + random.below(20), seed: UInt64(seed))
            let all = lines.flatMap { $0 }
            let cut = random.below(all.count - 1) + 1
            let kept = Array(all.prefix(cut))
            let wholeLines = kept.filter { $0 == 0x0A }.count
            let result = ChainVerifier().verify(segments: [(JournalSegmentName.name(1), kept)], head: storage.head)
            let problem = try #require(result.problem, "cut at \(cut)")
            #expect(problem.expectedSeq == Int64(wholeLines + 1))
        }
    }

    @Test("a record spliced in from another journal is found", arguments: 0..<10)
    func spliced(seed: Int) throws {
        var random = Random(state: UInt64(seed) + 404)
        var (_, lines) = try journalLines(records: 20, seed: 1)
        let otherStorage = InMemoryJournalStorage()
        let clock = JournalFixtures.Clock()
        clock.now += 5000
        try JournalFixtures.fill(try JournalFixtures.journal(otherStorage, clock: clock), count: 20)
        let other = JournalFixtures.lines(try otherStorage.read(JournalSegmentName.name(1)))
        let index = 1 + random.below(lines.count - 1)
        lines[index] = other[index]  // same seq, another chain
        let problem = try #require(verify(lines).problem)
        #expect(problem.line == index + 1)
    }

    @Test("an edit that keeps the JSON valid but changes white space is found")
    func whitespace() throws {
        var (_, lines) = try journalLines(records: 5, seed: 3)
        lines[2].insert(0x20, at: 8)  // after {"body":
        let problem = try #require(verify(lines).problem)
        #expect(problem.line == 3)
        #expect(problem.message.contains("hash mismatch"))
    }

    @Test("records verify across rotated segments, and damage names the segment")
    func segments() throws {
        let storage = InMemoryJournalStorage()
        try JournalFixtures.fill(try JournalFixtures.journal(storage, maxSegmentBytes: 4096), count: 40)
        let names = try storage.segmentNames()
        #expect(names.count > 3)
        let segments = try names.map { ($0, try storage.read($0)) }
        #expect(ChainVerifier().verify(segments: segments, head: storage.head).isIntact)
        var damaged = segments
        var lines = JournalFixtures.lines(damaged[2].1)
        lines.removeFirst()
        damaged[2].1 = lines.flatMap { $0 }
        let problem = try #require(ChainVerifier().verify(segments: damaged, head: storage.head).problem)
        #expect(problem.segment == names[2] && problem.line == 1)
    }
}
