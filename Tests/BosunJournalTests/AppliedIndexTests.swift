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

    /// One convergence with per-project hashes whose gate record passes and fails the given projects.
    static func gated(_ journal: Journal, commit: String, hashes: [String: String], passed: [String], failed: [String],
                      outcome: ConvergenceOutcome, projectCommits: [String: String]? = nil) throws {
        var begin = JournalFixtures.begin(round: 1)
        begin.source?.commitID = commit
        begin.origin = origin
        begin.projectHashes = hashes
        begin.projectCommits = projectCommits
        let seq = try journal.begin(begin)
        let results: [JSONValue] = passed.map { .object(["resource": .string("\($0)/web"), "passed": .bool(true)]) }
            + failed.map { .object(["resource": .string("\($0)/web"), "passed": .bool(false)]) }
        if !results.isEmpty { try journal.append(.gate, .object(["begin_seq": .int(seq), "results": .array(results)])) }
        try journal.end(ConvergenceEnd(beginSeq: seq, outcome: outcome, durationMilliseconds: 1))
    }

    @Test("last good states: only gates passed count; a failed or quarantined desired state never becomes good; owed gates follow interrupted ends")
    func lastGood() throws {
        let journal = try JournalFixtures.journal()
        try Self.gated(journal, commit: "c1", hashes: ["site": "h1", "shop": "s1"], passed: ["site", "shop"], failed: [], outcome: .converged)
        #expect(journal.index.lastGood["site"]?.commitID == "c1" && journal.index.lastGood["site"]?.hash == "h1")
        // site fails under pause: the next convergence that passes (shop changed) keeps site's good state at c1.
        try Self.gated(journal, commit: "c2", hashes: ["site": "h2", "shop": "s1"], passed: [], failed: ["site"], outcome: .failed)
        #expect(journal.index.failedHashes["site"] == "h2")
        try Self.gated(journal, commit: "c3", hashes: ["site": "h2", "shop": "s2"], passed: ["shop"], failed: [], outcome: .converged)
        #expect(journal.index.lastGood["site"]?.commitID == "c1" && journal.index.lastGood["shop"]?.commitID == "c3")
        // A quarantined hash with nothing to serve stays out too; its gate passing later (a retry) makes it good.
        try journal.append(.quarantine, JSONValue.encoding(QuarantineRecord(project: "shop", hash: "s3", commitID: "c4", servingCommitID: nil,
                                                                             cause: .gate, failedSeq: nil, reason: "r")))
        try Self.gated(journal, commit: "c5", hashes: ["site": "h2", "shop": "s3"], passed: [], failed: [], outcome: .converged)
        #expect(journal.index.lastGood["shop"]?.commitID == "c3")
        try Self.gated(journal, commit: "c6", hashes: ["site": "h2", "shop": "s4"], passed: ["site", "shop"], failed: [], outcome: .converged)
        #expect(journal.index.lastGood["site"]?.commitID == "c6" && journal.index.failedHashes.isEmpty)
        // A rollback's project commits are what is good; the rewind anchor does not follow a rollback.
        try Self.gated(journal, commit: "c7", hashes: ["site": "h1", "shop": "s4"], passed: ["site"], failed: [], outcome: .rolledBack,
                       projectCommits: ["site": "c1"])
        #expect(journal.index.lastGood["site"]?.commitID == "c1" && journal.index.lastApplied(from: Self.origin) == "c6")

        // Interrupted before its gate: what it created is owed; the next convergence's end clears it.
        var begin = JournalFixtures.begin(round: 1)
        begin.origin = Self.origin
        begin.operations = [RecordedOperation(id: 1, resource: "site/web", kind: "recreate", cause: "image changed")]
        let seq = try journal.begin(begin)
        try journal.end(ConvergenceEnd(beginSeq: seq, outcome: .interrupted, durationMilliseconds: 1))
        #expect(journal.index.owedGates == ["site/web"])
        try Self.gated(journal, commit: "c8", hashes: ["site": "h1", "shop": "s4"], passed: ["site"], failed: [], outcome: .converged)
        #expect(journal.index.owedGates.isEmpty)
    }
}
