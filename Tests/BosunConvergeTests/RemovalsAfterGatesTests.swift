import BosunConverge
import BosunJournal
import BosunModel
import BosunPlanner
import BosunTestSupport
import Testing

/// Removals and volume prunes of a convergence wait until all its gates pass: a commit that removes a service
/// and prunes its volume, and whose new version fails its gate, leaves both in place for the rollback.
@Suite("Removals after the gates")
struct RemovalsAfterGatesTests {
    typealias F = ConvergeFixtures

    /// The shop with a new image for web, a service `old` and its volume that the commit removed (the project prunes).
    static func scenario() -> (DesiredState, ObservedState) {
        let desired = F.state(F.shop.replacingOccurrences(of: "nginx:1.27", with: "nginx:1.28") + "\nx-bosun: {prune_volumes: true}\n")
        var observed = F.observed(F.state())
        let old = F.state().projects[0].services[0]
        observed.containers.append(ObservedContainer(project: "shop", service: "old", name: "shop-old-1", spec: old, status: .running))
        observed.volumes.append("shop_olddata")
        observed.volumeOwners["shop_olddata"] = "shop"
        return (desired, observed)
    }

    @Test("the plan splits at the gates: stops, removes and prunes after, each with its own dependencies")
    func split() {
        let (desired, observed) = Self.scenario()
        let plan = Planner.plan(desired: desired, observed: observed)
        let (before, after) = plan.splitAtGates
        #expect(before.operations.map(\.kind).contains(.recreateContainer))
        #expect(after.operations.map(\.kind) == [.stopContainer, .removeContainer, .removeVolume, .removeContainer])
        #expect(after.operations.last?.resource == "kept:shop-web-1", "the container the recreate keeps aside")
        #expect(after.operations.map(\.dependsOn) == plan.operations.filter { Plan.kindsAfterGates.contains($0.kind) }.map(\.dependsOn))
        #expect(before.operations.count + after.operations.count == plan.operations.count)
        #expect(Plan(operations: before.operations).splitAtGates.afterGates.isEmpty)
    }

    @Test("a failed gate holds the removals: nothing is stopped, removed or pruned, each says why")
    func failedGateHoldsRemovals() async throws {
        let (desired, observed) = Self.scenario()
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running), GateObservation(status: .exited(code: 1))])
        let storage = InMemoryJournalStorage()
        let convergence = try ConvergenceJournalTests.convergence(engine, storage: storage)
        let plan = Planner.plan(desired: desired, observed: observed)
        let result = try await convergence.execute(plan, desired: desired, observed: observed, source: nil, trigger: .manual)
        #expect(result.outcome == .failed)
        let calls = await engine.calls
        #expect(calls.contains("recreate shop-web-1"))
        #expect(!calls.contains { $0.hasPrefix("stop ") || $0.hasPrefix("remove") }, "\(calls): the kept container stays for the rollback")
        let held = plan.operations.filter { Plan.kindsAfterGates.contains($0.kind) }.compactMap { result.report.outcome($0.id)?.status }
        #expect(held.count == 4 && held.allSatisfy { $0 == .skipped("held: the health gate of shop/web failed (removals and volume prunes wait until every gate passes)") })
        #expect(try ConvergenceJournalTests.verified(storage))
    }

    @Test("passed gates let the removals run, after the gates")
    func passedGatesRunRemovals() async throws {
        let (desired, observed) = Self.scenario()
        let engine = RecordingEngine()
        let convergence = try ConvergenceJournalTests.convergence(engine, storage: InMemoryJournalStorage())
        let result = try await convergence.execute(Planner.plan(desired: desired, observed: observed), desired: desired, observed: observed,
                                                   source: nil, trigger: .manual)
        #expect(result.outcome == .converged && result.report.isComplete)
        let calls = await engine.calls
        let lastGate = try #require(calls.lastIndex { $0.hasPrefix("observe-gate") })
        let stop = try #require(calls.firstIndex(of: "stop shop-old-1"))
        #expect(lastGate < stop, "\(calls)")
        #expect(calls.suffix(4) == ["stop shop-old-1", "remove shop-old-1", "remove-volume shop_olddata", "remove-kept shop-web-1"])
    }
}
