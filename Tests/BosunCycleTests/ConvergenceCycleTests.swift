import BosunConverge
import BosunFailure
import BosunCycle
import BosunJournal
import BosunModel
import Testing

/// The one convergence cycle every caller runs, with a recording engine, host and an in-memory journal.
@Suite("Convergence cycle")
struct ConvergenceCycleTests {
    func converged(_ report: CycleReport) -> Convergence.Result? {
        if case .converged(let result) = report.outcome { return result }
        return nil
    }

    func rejectedStep(_ report: CycleReport) -> CycleStep? {
        if case .rejected(let step, _) = report.outcome { return step }
        return nil
    }

    @Test("apply runs every step in order and records the source's origin")
    func apply() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "https://git.example.org/ops/hosts.git", path: "edge")
        source.commit("c1", ["edge/compose.yaml": Compose.web()["compose.yaml"]!])
        var cycle = bench.cycle(source)
        let report = await cycle.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        let result = try #require(converged(report), "\(report.outcome)")
        #expect(result.outcome == .converged)
        #expect(bench.host.calls == ["lock", "publish \(MemorySource.id("c1"))", "release"])
        #expect(await bench.engine.calls.contains("create site-web-1"))
        #expect(bench.records == ["genesis", "begin", "gate", "end converged"])
        #expect(result.gates.map(\.resource) == ["site/web"] && result.gates.allSatisfy(\.passed))
        let origin = try #require(try bench.begins.first?["origin"]?.decode(SourceOrigin.self))
        #expect(origin == source.origin && bench.begins.first?["switched_from"] == nil)
        #expect(bench.journal.index.lastApplied(from: source.origin) == MemorySource.id("c1"))
        #expect(bench.journal.index.owner == source.origin)
    }

    @Test("the rewind guard's anchor is the last commit applied from the same repository, however its URL is spelled")
    func anchor() async throws {
        let bench = CycleBench()
        let first = MemorySource(location: "https://git.example.org/ops/hosts.git")
        first.commit("c1", Compose.web())
        var cycle = bench.cycle(first)
        _ = await cycle.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        // Another process (a later apply, the agent) names the same repository differently.
        let again = MemorySource(location: "https://Git.example.org:443/ops/hosts/")
        again.commit("c2", Compose.web("nginx:1.28"))
        var second = bench.cycle(again)
        _ = await second.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        #expect(first.opens == [nil])
        #expect(again.opens == ["c1"])
        #expect(bench.journal.index.lastApplied(from: first.origin) == MemorySource.id("c2"))
        // A rejected commit does not move the anchor.
        again.commit("c3", ["compose.yaml": "services: {web: {}}\n"])
        _ = await second.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        #expect(bench.journal.index.lastApplied(from: first.origin) == MemorySource.id("c2"))
    }

    @Test("a state directory belongs to one source: another is refused, journaled, and nothing is touched")
    func ownership() async throws {
        let bench = CycleBench()
        let a = MemorySource(location: "/srv/git/a")
        a.commit("a1", Compose.web())
        var cycleA = bench.cycle(a)
        _ = await cycleA.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        let callsBefore = await bench.engine.calls
        let b = MemorySource(location: "/srv/git/b")
        b.commit("b1", ["compose.yaml": "name: other\nservices:\n  db: {image: \"postgres:16\"}\n"])
        var cycleB = bench.cycle(b)
        let refused = await cycleB.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
        #expect(rejectedStep(refused) == .admit)
        if case .rejected(_, let reason) = refused.outcome {
            #expect(reason.contains("/srv/git/a") && reason.contains("/srv/git/b") && reason.contains("--switch-source"))
        }
        #expect(await bench.engine.calls == callsBefore)
        #expect(bench.records.suffix(2) == ["begin", "end rejected"])
        #expect(bench.journal.index.owner == a.origin)
        // plan shows the plan with a warning and journals nothing.
        let recordsBefore = bench.records
        let planned = await cycleB.run(.init(trigger: .manual, mode: .plan))
        guard case .planned = planned.outcome else { Issue.record("\(planned.outcome)"); return }
        #expect(planned.warnings.count == 1 && bench.records == recordsBefore)
        // A switch converges and says from where.
        let switched = await cycleB.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil), switchSource: true))
        #expect(converged(switched)?.outcome == .converged)
        #expect(try bench.begins.last?["switched_from"]?.decode(SourceOrigin.self) == a.origin)
        #expect(bench.journal.index.owner == b.origin)
        // Back to a needs a switch again; a's anchor is still there for its rewind guard.
        #expect(rejectedStep(await cycleA.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))) == .admit)
        #expect(a.opens.last == "a1")
    }

    @Test("the agent journals a repeating source error or bad commit once; apply every time")
    func repeats() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "/srv/git/a")
        source.commit("bad", ["compose.yaml": "services: {web: {}}\n"])
        var agent = bench.cycle(source, journalRepeats: false)
        for _ in 0..<3 { #expect(rejectedStep(await agent.run(.init(trigger: .poll, mode: .apply(expectedPlanHash: nil)))) == .load) }
        source.fail("forge down")
        for _ in 0..<3 { _ = await agent.run(.init(trigger: .poll, mode: .apply(expectedPlanHash: nil))) }
        #expect(bench.records == ["genesis", "begin", "end rejected", "begin", "end rejected"])
        var apply = bench.cycle(source)
        for _ in 0..<2 {
            let report = await apply.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: nil)))
            guard case .sourceUnavailable = report.outcome else {
                Issue.record("expected the source to be unavailable"); return
            }
            // An error from outside bosun's modules: a transient failure of reading the source.
            #expect(report.failure == Failure(action: "read the source", cause: "forge down", handling: .retry))
        }
        #expect(bench.records.count == 9)
    }

    @Test("a poll for the commit already converged is unchanged: nothing loaded, locked or journaled")
    func unchanged() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "/srv/git/a")
        source.commit("c1", Compose.web())
        var cycle = bench.cycle(source, journalRepeats: false)
        let first = await cycle.run(.init(trigger: .startup, mode: .apply(expectedPlanHash: nil)))
        let hash = try #require(first.stateHash)
        let records = bench.records
        let poll = await cycle.run(.init(trigger: .poll, mode: .apply(expectedPlanHash: nil), convergedTo: (MemorySource.id("c1"), hash)))
        guard case .unchanged = poll.outcome else { Issue.record("\(poll.outcome)"); return }
        #expect(bench.records == records && bench.host.calls.filter { $0 == "lock" }.count == 1)
    }

    @Test("a plan hash that no longer matches refuses before anything is journaled")
    func planHash() async throws {
        let bench = CycleBench()
        let source = MemorySource(location: "/srv/git/a")
        source.commit("c1", Compose.web())
        var cycle = bench.cycle(source)
        let report = await cycle.run(.init(trigger: .manual, mode: .apply(expectedPlanHash: "sha256:0")))
        #expect(rejectedStep(report) == .plan)
        #expect(bench.records == ["genesis"])
        #expect(await bench.engine.calls.isEmpty)
    }
}
