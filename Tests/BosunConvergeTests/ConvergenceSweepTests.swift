import BosunConverge
import BosunJournal
import BosunModel
import Testing
import BosunTestSupport

/// What an interrupted convergence left is swept first and journaled; a full state filesystem (the journal on
/// its reserve) records a failed convergence and changes nothing.
@Suite("Convergence sweep and full filesystem")
struct ConvergenceSweepTests {
    typealias F = ConvergeFixtures

    @Test("swept containers are journaled as a sweep record before the convergence, and returned")
    func sweepJournaled() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        let leftover = SweptContainer(name: "shop-old-1", project: "shop", action: .removed)
        await engine.setSwept([leftover])
        let result = try await ConvergenceJournalTests.convergence(engine, storage: storage).converge(F.state(), source: nil, trigger: .manual)
        #expect(result.swept == [leftover])
        #expect(await engine.calls.first == "sweep shop-old-1")
        let records = try ConvergenceJournalTests.records(storage)
        #expect(records.map(\.kind) == [.genesis, .sweep, .begin, .gate, .end])
        #expect(records[1].body == JSONValue.encoding(SweepNote(containers: [leftover])))
        #expect(try ConvergenceJournalTests.verified(storage))
    }

    @Test("nothing to sweep: no sweep record")
    func nothingToSweep() async throws {
        let storage = InMemoryJournalStorage()
        _ = try await ConvergenceJournalTests.convergence(RecordingEngine(), storage: storage).converge(F.state(), source: nil, trigger: .manual)
        #expect(try ConvergenceJournalTests.records(storage).map(\.kind) == [.genesis, .begin, .gate, .end])
    }

    @Test("with the journal on its reserve the convergence is journaled as failed and runs nothing")
    func fullFilesystem() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        let convergence = try ConvergenceJournalTests.convergence(engine, storage: storage)
        storage.isOnReserve = true
        let result = try await convergence.converge(F.state(), source: nil, trigger: .manual)
        #expect(result.outcome == .failed)
        #expect(result.reason?.contains("No space left on device") == true)
        #expect(await engine.calls.isEmpty)
        let last = try #require(ConvergenceJournalTests.history(storage).convergences.last)
        #expect(last.endBody?.outcome == .failed)
        #expect(last.endBody?.reason?.contains("nothing was changed") == true)
        #expect(try ConvergenceJournalTests.verified(storage))

        // Space is back: the next convergence runs.
        storage.isOnReserve = false
        let again = try await convergence.converge(F.state(), source: nil, trigger: .manual)
        #expect(again.outcome == .converged)
        #expect(await !engine.calls.isEmpty)
    }
}
