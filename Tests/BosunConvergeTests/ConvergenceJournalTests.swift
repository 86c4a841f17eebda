import BosunConverge
import BosunJournal
import BosunModel
import BosunPlanner
import Testing
import BosunTestSupport

@Suite("Convergence journal")
struct ConvergenceJournalTests {
    typealias F = ConvergeFixtures

    static func convergence(_ engine: RecordingEngine, storage: InMemoryJournalStorage) throws -> Convergence {
        let clock = TickingClock()
        let journal = Journal(storage: storage, clock: clock.now, genesis: JournalGenesis(hostID: "h", hostname: "edge", bosunVersion: "test"))
        try journal.open()
        var convergence = Convergence(engine: engine, journal: journal, redactor: SecretRedactor(salt: [7, 7, 7]), clock: clock.now, concurrency: 1)
        convergence.gate = HealthGate.stepping(engine)
        return convergence
    }

    /// Every record of the journal, in order.
    static func records(_ storage: InMemoryJournalStorage) throws -> [JournalRecord] {
        try storage.segmentNames().flatMap { try storage.read($0) }.split(separator: 0x0A).map { try JournalRecord.parse(line: $0) }
    }

    static func history(_ storage: InMemoryJournalStorage) throws -> ConvergenceHistory {
        ConvergenceHistory(segments: try storage.segmentNames().map { try storage.read($0) })
    }

    static func verified(_ storage: InMemoryJournalStorage) throws -> Bool {
        let segments = try storage.segmentNames().map { ($0, try storage.read($0)) }
        return ChainVerifier().verify(segments: segments, head: storage.readHead()).isIntact
    }

    @Test("a convergence is one begin (plan, hashes, state) and one end (each result, the outcome); the chain verifies")
    func creation() async throws {
        let storage = InMemoryJournalStorage()
        let state = F.state()
        let result = try await Self.convergence(RecordingEngine(), storage: storage).converge(state, source: nil, trigger: .manual)
        #expect(result.outcome == .converged)
        let history = try Self.history(storage)
        let convergence = try #require(history.convergences.last)
        #expect(convergence.beginBody.planHash == result.plan.hash)
        #expect(convergence.beginBody.desiredStateHash == ConfigHash.of(state))
        #expect(convergence.beginBody.services["shop/db"] == ConfigHash.of(state.projects[0].services.first { $0.name == "db" }!))
        #expect(convergence.beginBody.operations.map(\.kind) == result.plan.operations.map(\.kind.rawValue))
        #expect(convergence.endBody?.outcome == .converged)
        #expect(convergence.endBody?.results.count == result.plan.operations.count)
        #expect(convergence.endBody?.imageDigests.keys.sorted() == ["docker.io/library/busybox:1.35", "docker.io/library/nginx:1.27", "docker.io/library/postgres:16"])
        #expect(try Self.verified(storage))
    }

    @Test("an environment change is journaled with salted hashes only, never the values")
    func secretsRedacted() async throws {
        let storage = InMemoryJournalStorage()
        let desired = F.state(F.shop.replacing("s3cret", "n3w-value"))
        let result = try await Self.convergence(RecordingEngine(observed: F.observed(F.state())), storage: storage)
            .converge(desired, source: nil, trigger: .manual)
        #expect(result.plan.operations.map(\.kind) == [.recreateContainer, .removeContainer])
        let bytes = try storage.segmentNames().flatMap { try storage.read($0) }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("s3cret") && !text.contains("n3w-value"))
        let change = try #require(Self.history(storage).convergences.last?.beginBody.operations.first?.changes.first)
        #expect(change.field == "environment.TOKEN")
        guard case .redacted(let old)? = change.old, case .redacted(let new)? = change.new else {
            Issue.record("the change is not redacted: \(change)")
            return
        }
        #expect(old.hasPrefix("hmac-sha256:") && new.hasPrefix("hmac-sha256:") && old != new)
    }

    @Test("a failure that skips dependents is partially-failed, with the skip causes recorded")
    func partial() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        await engine.fail("create-network shop_front", with: "no address space left")
        let result = try await Self.convergence(engine, storage: storage).converge(F.state(), source: nil, trigger: .manual)
        #expect(result.outcome == .partiallyFailed)
        let end = try #require(Self.history(storage).convergences.last?.endBody)
        #expect(end.outcome == .partiallyFailed && end.reason == "1 failed, 4 skipped, 7 succeeded")
        #expect(end.results.filter { $0.skipped == "skipped: network:shop_front failed" }.count == 4)
        #expect(end.results.contains { $0.error == "create-network shop_front: no address space left" })
        #expect(try Self.verified(storage))
    }

    @Test("every operation failing is failed")
    func failed() async throws {
        let engine = RecordingEngine()
        await engine.fail("pull docker.io/library/busybox:1.35", with: "registry unreachable")
        await engine.fail("create-network one_default", with: "no address space left")
        let yaml = "name: one\nservices:\n  a: {image: \"busybox:1.35\"}\n"
        let result = try await Self.convergence(engine, storage: InMemoryJournalStorage()).converge(F.state(yaml), source: nil, trigger: .manual)
        #expect(result.outcome == .failed)
    }

    @Test("a plan hash that no longer matches is refused before anything runs or is recorded")
    func planHashMismatch() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        let convergence = try Self.convergence(engine, storage: storage)
        let (_, plan) = try await convergence.plan(F.state())
        await #expect(throws: ConvergeError.self) {
            try await convergence.converge(F.state(F.shop.replacing("256m", "128m")), source: nil, trigger: .manual, expectedPlanHash: plan.hash)
        }
        #expect(await engine.calls.isEmpty)
        #expect(try Self.history(storage).convergences.isEmpty)
        let result = try await convergence.converge(F.state(), source: nil, trigger: .manual, expectedPlanHash: plan.hash)
        #expect(result.outcome == .converged)
    }

    @Test("manifests that do not load are journaled as rejected, and nothing runs")
    func rejected() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        try Self.convergence(engine, storage: storage).reject(reason: "shop/compose.yaml:3:5: error: unknown key", source: nil, trigger: .manual)
        let convergence = try #require(Self.history(storage).convergences.last)
        #expect(convergence.endBody?.outcome == .rejected)
        #expect(convergence.endBody?.reason == "shop/compose.yaml:3:5: error: unknown key")
        #expect(convergence.beginBody.operations.isEmpty)
        #expect(await engine.calls.isEmpty)
        #expect(try Self.verified(storage))
    }

    @Test("nothing to do: a manual apply records no-change, a poll only notes a check")
    func noChange() async throws {
        let storage = InMemoryJournalStorage()
        let state = F.state()
        let convergence = try Self.convergence(RecordingEngine(observed: F.observed(state)), storage: storage)
        #expect(try await convergence.converge(state, source: nil, trigger: .poll).beginSeq == nil)
        #expect(try Self.history(storage).convergences.isEmpty)
        #expect(storage.readLastCheck() != nil)
        let manual = try await convergence.converge(state, source: nil, trigger: .manual)
        #expect(manual.outcome == .noChange)
        #expect(try Self.history(storage).convergences.last?.endBody?.outcome == .noChange)
    }
}
