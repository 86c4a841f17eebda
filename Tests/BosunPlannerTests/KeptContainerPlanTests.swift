import BosunModel
import BosunPlanner
import Testing

/// The container a recreate keeps aside until the gates passed: started again when the desired state is its
/// own (a rollback, with no create), removed otherwise.
@Suite("Kept containers in the plan")
struct KeptContainerPlanTests {
    typealias P = PlannerTests

    /// The shop as the bad commit left it: web recreated with a new secret (`n3w`), the old web kept aside.
    static func afterBadCommit() -> ObservedState {
        let good = P.state(), bad = P.state(P.compose.replacingOccurrences(of: "s3cret", with: "n3w"))
        var observed = P.observed(bad)
        let oldWeb = good.projects[0].services.first { $0.name == "web" }!
        observed.previous = [ObservedContainer(project: "shop", service: "web", name: "shop-web-1", id: "shop-web-1", spec: oldWeb, status: .exited(code: 0))]
        observed.containers = observed.containers.map { container in
            var container = container
            if container.name == "shop-web-1" { container.id = "shop-web-1.0a1b2c3d" }
            return container
        }
        return observed
    }

    @Test("the good state again (a rollback): the kept container is restored, nothing is created")
    func restored() {
        let plan = Planner.plan(desired: P.state(), observed: Self.afterBadCommit())
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["restore shop/web"])
        #expect(plan.operations[0].cause == "its kept container shop-web-1 has the desired configuration")
        #expect(plan.operations[0].targetHash == ConfigHash.of(P.state().projects[0].services.first { $0.name == "web" }!))
    }

    @Test("the bad state kept (pause): the kept container is removed after the gates, the current one left alone")
    func keptRemoved() {
        let plan = Planner.plan(desired: P.state(P.compose.replacingOccurrences(of: "s3cret", with: "n3w")), observed: Self.afterBadCommit())
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["remove kept:shop-web-1"])
        #expect(plan.splitAtGates.afterGates.operations.count == 1)
    }

    @Test("a third state: recreated again; one removal of the kept container, after the recreate")
    func recreatedAgain() {
        let plan = Planner.plan(desired: P.state(P.compose.replacingOccurrences(of: "s3cret", with: "other")), observed: Self.afterBadCommit())
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["recreate shop/web", "remove kept:shop-web-1"])
        #expect(plan.operations[1].dependsOn == [plan.operations[0].id])
    }

    @Test("the current container lost: the kept one with the desired state is restored rather than a new one created")
    func currentMissing() {
        var observed = Self.afterBadCommit()
        observed.containers = observed.containers.filter { $0.name != "shop-web-1" }
        let plan = Planner.plan(desired: P.state(), observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["restore shop/web"])
    }

    @Test("a service that left the desired state: its kept container goes too")
    func serviceGone() {
        var observed = Self.afterBadCommit()
        observed.previous[0] = ObservedContainer(project: "shop", service: "gone", name: "shop-gone-1", spec: observed.previous[0].spec, status: .exited(code: 0))
        let plan = Planner.plan(desired: P.state(P.compose.replacingOccurrences(of: "s3cret", with: "n3w")), observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["remove kept:shop-gone-1"])
    }

    @Test("a kept container the host lost is not restored; the one created instead is what its removal waits for")
    func keptMissing() {
        var observed = Self.afterBadCommit()
        observed.previous[0].status = .missing
        observed.containers = observed.containers.filter { $0.name != "shop-web-1" }  // killed mid-recreate: no new one
        let plan = Planner.plan(desired: P.state(), observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["create shop/web", "start shop/web", "remove kept:shop-web-1"])
        #expect(plan.operations[2].dependsOn == [plan.operations[1].id], "a failed create keeps the kept container")
    }

    @Test("pull_policy: always pulls, but the restore does not wait for it: the kept container runs its own image")
    func restoreDoesNotWaitForAPull() {
        let always = P.compose.replacingOccurrences(of: "image: nginx:1.27", with: "image: nginx:1.27\n    pull_policy: always")
        var observed = Self.afterBadCommit()
        observed.previous[0].spec = P.state(always).projects[0].services.first { $0.name == "web" }!
        let plan = Planner.plan(desired: P.state(always), observed: observed)
        let restore = plan.operations.first { $0.kind == .restoreContainer }
        #expect(plan.operations.contains { $0.kind == .pullImage }, "the pull is planned: \(plan.operations)")
        #expect(restore != nil && restore?.dependsOn.isEmpty == true, "\(plan.operations)")
    }
}
