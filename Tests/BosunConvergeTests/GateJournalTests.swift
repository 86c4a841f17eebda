import BosunConverge
import BosunJournal
import BosunModel
import BosunPlanner
import BosunTestSupport
import Testing

/// The gate step in a convergence: its record, and the end it leads to.
@Suite("Gate in the journal")
struct GateJournalTests {
    typealias F = ConvergeFixtures

    @Test("a container that exits within its monitor fails the convergence; the gate record says which, why, with output scrubbed")
    func failedGate() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running),
                                                        GateObservation(status: .exited(code: 1), lastOutput: "login with s3cret refused")])
        let result = try await ConvergenceJournalTests.convergence(engine, storage: storage).converge(F.state(), source: nil, trigger: .manual)
        #expect(result.outcome == .failed)
        #expect(result.reason == "health gate failed: shop/web (monitor): it exited with code 1 within its 10s monitor")
        #expect(result.gates.map(\.resource) == ["shop/db", "shop/app", "shop/web"])
        let records = try ConvergenceJournalTests.records(storage)
        #expect(records.map(\.kind) == [.genesis, .begin, .gate, .end])
        let gate = try records[2].body.decode(GateRecord.self)
        #expect(gate.beginSeq == records[1].seq)
        let web = try #require(gate.results.first { $0.resource == "shop/web" })
        #expect(!web.passed && web.check == .monitor && web.output == "login with [redacted] refused")
        #expect(gate.results.filter(\.passed).map(\.resource).sorted() == ["shop/app", "shop/db"])
        // History joins the gate record to its convergence.
        #expect(try ConvergenceJournalTests.history(storage).convergences.last?.gate?.seq == records[2].seq)
        #expect(try ConvergenceJournalTests.verified(storage))
    }

    @Test("without a gate (down) nothing is watched and no gate record is written")
    func noGate() async throws {
        let storage = InMemoryJournalStorage()
        let engine = RecordingEngine()
        var convergence = try ConvergenceJournalTests.convergence(engine, storage: storage)
        convergence.gate = nil
        let result = try await convergence.converge(F.state(), source: nil, trigger: .manual)
        #expect(result.outcome == .converged && result.gates.isEmpty)
        #expect(await !engine.calls.contains { $0.hasPrefix("observe-gate") })
    }

    @Test("containers an interrupted convergence created are gated again though the plan is empty: a pass converges, a failure fails")
    func resumedGates() async throws {
        for (failing, endedByItself) in [(false, false), (true, true)] {
            let storage = InMemoryJournalStorage()
            let engine = RecordingEngine()
            if failing { await engine.setGateObservations("shop-web-1", [GateObservation(status: .running), GateObservation(status: .exited(code: 2))]) }
            let convergence = try ConvergenceJournalTests.convergence(engine, storage: storage)
            // A convergence that recreated shop/web (and a service no longer desired), left open by a killed process.
            _ = try convergence.journal.begin(ConvergenceBegin(trigger: .manual, source: nil, desiredStateHash: "sha256:x", services: [:], state: nil,
                                                               planHash: "sha256:p", operations: [
                                                                   RecordedOperation(id: 1, resource: "shop/web", kind: "recreate", cause: "image changed"),
                                                                   RecordedOperation(id: 2, resource: "gone/service", kind: "create", cause: "new"),
                                                               ]))
            // Stopped by a SIGTERM, it ended itself interrupted before its gate: still owed.
            if endedByItself { try convergence.journal.end(ConvergenceEnd(beginSeq: 2, outcome: .interrupted, durationMilliseconds: 0)) }
            let result = try await convergence.execute(Plan(operations: []), desired: F.state(), observed: .empty, source: nil, trigger: .startup)
            #expect(result.gates.map(\.resource) == ["shop/web"], "a resource no longer desired is not gated")
            #expect(result.outcome == (failing ? .failed : .converged))
            #expect(try ConvergenceJournalTests.records(storage).map(\.kind) == [.genesis, .begin, .end, .begin, .gate, .end])
            #expect(convergence.journal.index.owedGates.isEmpty, "gated: owed no more")
        }
    }
}
