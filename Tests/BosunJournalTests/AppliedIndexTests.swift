import BosunJournal
import BosunModel
import BosunTestSupport
import Testing

/// The journal's applied index: the last commit applied per repository and the state directory's source, kept
/// current with every record, stored beside the segments, and rebuilt from them whenever it disagrees.
@Suite("Applied index")
struct AppliedIndexTests {
    static let repository = "https://git.example.invalid/r.git"
    static let origin = SourceOrigin(location: repository, path: "edge", isRepository: true)

    /// One convergence of `commit` from `origin` ending with `outcome`.
    static func converge(_ journal: Journal, commit: String, outcome: ConvergenceOutcome, origin: SourceOrigin? = origin, round: Int = 1) throws {
        var begin = JournalFixtures.begin(round: round)
        begin.source?.commitID = commit
        if let origin { begin.source?.repositoryURL = origin.location }
        begin.origin = origin
        let seq = try journal.begin(begin)
        try journal.end(ConvergenceEnd(beginSeq: seq, outcome: outcome, durationMilliseconds: 1))
    }

    @Test("the last commit that converged, partially failed or changed nothing anchors its repository; the owner is the last source that acted")
    func outcomes() throws {
        let journal = try JournalFixtures.journal()
        try Self.converge(journal, commit: "c1", outcome: .converged)
        try Self.converge(journal, commit: "c2", outcome: .rejected)
        #expect(journal.index.lastApplied(from: Self.origin) == "c1")
        try Self.converge(journal, commit: "c3", outcome: .partiallyFailed)
        try Self.converge(journal, commit: "c4", outcome: .failed)
        #expect(journal.index.lastApplied(from: Self.origin) == "c3")
        let other = SourceOrigin(location: "/srv/git/other", path: "", isRepository: true)
        try Self.converge(journal, commit: "o1", outcome: .rejected, origin: other)
        #expect(journal.index.owner == Self.origin)
        try Self.converge(journal, commit: "o2", outcome: .noChange, origin: other)
        #expect(journal.index.owner == other)
        #expect(journal.index.lastApplied(from: other) == "o2" && journal.index.lastApplied(from: Self.origin) == "c3")
        // The same repository spelled with credentials and a trailing slash.
        #expect(journal.index.lastApplied(from: SourceOrigin(location: "https://tok@git.example.invalid/r/", path: "", isRepository: true)) == "c3")
    }

    @Test("records of a bosun before origins were recorded anchor their repository (any path)")
    func legacy() throws {
        let journal = try JournalFixtures.journal()
        try Self.converge(journal, commit: "old", outcome: .converged, origin: nil)
        #expect(journal.index.lastApplied(from: Self.origin) == "old")
        #expect(journal.index.owner?.isSameSource(as: Self.origin) == true)
    }

    @Test("reopening uses the stored index, replays what came after it, and rebuilds it when it disagrees with the chain", arguments: [
        "kept", "dropped", "stale", "foreign head", "garbage",
    ])
    func reopen(_ damage: String) throws {
        let storage = InMemoryJournalStorage()
        let journal = try JournalFixtures.journal(storage, maxSegmentBytes: 4096)
        for round in 1...12 { try Self.converge(journal, commit: "c\(round)", outcome: round % 3 == 0 ? .rejected : .converged, round: round) }
        try journal.append(.checkpoint, JSONValue.encoding(JournalCheckpoint(checks: 3, commitID: "c11")))  // after the last stored index
        let expected = journal.index
        #expect(try storage.segmentNames().count > 2)
        switch damage {
        case "dropped": storage.index = nil
        case "stale":  // an index stored rounds ago (a crash before it was stored again)
            var old = AppliedIndex()
            old.head = JournalHead(seq: 2, hash: "sha256:" + String(repeating: "0", count: 64))
            storage.index = JSONValue.encoding(old).canonicalBytes
        case "foreign head":
            var copy = expected
            copy.head = JournalHead(seq: expected.head!.seq, hash: "sha256:" + String(repeating: "f", count: 64))
            copy.lastApplied = [:]
            storage.index = JSONValue.encoding(copy).canonicalBytes
        case "garbage": storage.index = Array("{not json".utf8)
        default: break
        }
        let reopened = try JournalFixtures.journal(storage, maxSegmentBytes: 4096)
        #expect(reopened.index.lastApplied == expected.lastApplied)
        #expect(reopened.index.owner == expected.owner)
        #expect(reopened.index.lastApplied(from: Self.origin) == "c11")
        #expect(reopened.index.head == expected.head)
    }

    @Test("two writers on one journal: the one that catches up first keeps the chain whole")
    func catchUp() throws {
        let storage = InMemoryJournalStorage()
        let agent = try JournalFixtures.journal(storage)
        let apply = try JournalFixtures.journal(storage)
        try Self.converge(apply, commit: "c1", outcome: .converged)
        try agent.catchUp()
        #expect(agent.index.lastApplied(from: Self.origin) == "c1")
        try agent.append(.drift, .object(["findings": .array([])]))
        try apply.catchUp()
        try Self.converge(apply, commit: "c2", outcome: .converged)
        let verification = ChainVerifier().verify(segments: storage.segments, head: storage.head)
        #expect(verification.problem == nil)
        #expect(verification.records == 6)
    }

    @Test("catching up never cuts a line another writer is still appending; opening after a crash does")
    func catchUpLeavesAPartialLine() throws {
        let storage = InMemoryJournalStorage()
        let agent = try JournalFixtures.journal(storage)
        let apply = try JournalFixtures.journal(storage)
        try Self.converge(apply, commit: "c1", outcome: .converged)
        let name = try #require(storage.segments.last?.name)
        let whole = try storage.read(name)
        storage.overwrite(name, with: whole + Array("{\"body\":{\"begin_seq\"".utf8))  // a record half written
        storage.index = nil
        #expect(throws: JournalError.self) { try agent.catchUp() }
        #expect(try storage.read(name).count > whole.count)
        // The index others stored can still be read without the lock.
        storage.index = JSONValue.encoding(apply.index).canonicalBytes
        agent.refreshIndex()
        #expect(agent.index.lastApplied(from: Self.origin) == "c1")
        _ = try JournalFixtures.journal(storage)  // a start after a crash cuts it (and records the repair)
        #expect(ChainVerifier().verify(segments: storage.segments, head: storage.head).problem == nil)
    }
}
