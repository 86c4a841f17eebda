import BosunConverge
import BosunModel
import BosunPlanner
import Testing
import BosunTestSupport

@Suite("Executor")
struct ExecutorTests {
    typealias F = ConvergeFixtures

    @Test("creation from empty: pulls, networks, the volume, then containers in depends_on order with their conditions")
    func creation() async {
        let engine = RecordingEngine()
        let (_, report) = await F.execute(F.state(), .empty, engine: engine)
        #expect(report.isComplete)
        #expect(await engine.calls == [
            "pull docker.io/library/busybox:1.35",
            "pull docker.io/library/nginx:1.27",
            "pull docker.io/library/postgres:16",
            "create-network shop_back",
            "create-network shop_front",
            "create-volume shop_data",
            "create shop-db-1",
            "start shop-db-1",
            "create shop-app-1",
            "wait-healthy shop-db-1", "start shop-app-1",
            "create shop-web-1",
            "wait-started shop-app-1", "start shop-web-1",
        ])
    }

    @Test("an environment change recreates that one container, after its dependency is started")
    func environmentChange() async {
        let before = F.state()
        let engine = RecordingEngine()
        let (plan, report) = await F.execute(F.state(F.shop.replacing("s3cret", "n3w")), F.observed(before), engine: engine)
        #expect(plan.operations.map(\.kind) == [.recreateContainer, .removeContainer])
        #expect(report.isComplete)
        #expect(await engine.calls == ["wait-started shop-app-1", "recreate shop-web-1", "remove-kept shop-web-1"])
    }

    @Test("a limit change updates in place, with no condition wait and no restart")
    func limitChange() async {
        let engine = RecordingEngine()
        let (_, report) = await F.execute(F.state(F.shop.replacing("256m", "512m")), F.observed(F.state()), engine: engine)
        #expect(report.isComplete)
        #expect(await engine.calls == ["update-limits shop-web-1"])
    }

    @Test("removal: dependents stop before what they depend on, containers go before their networks; volumes stay")
    func removal() async {
        let engine = RecordingEngine()
        let after = F.state("name: shop\nservices:\n  other: {image: \"busybox:1.35\"}\n")
        let (_, report) = await F.execute(after, F.observed(F.state()), engine: engine, concurrency: 8)
        #expect(report.isComplete)
        let calls = await engine.calls
        let position = { (call: String) in calls.firstIndex(of: call) ?? -1 }
        #expect(position("stop shop-web-1") < position("stop shop-app-1"))
        #expect(position("stop shop-app-1") < position("stop shop-db-1"))
        #expect(position("stop shop-db-1") < position("remove shop-db-1"))
        for network in ["shop_back", "shop_front"] {
            #expect(["remove shop-web-1", "remove shop-app-1", "remove shop-db-1"].allSatisfy { position($0) < position("remove-network \(network)") })
        }
        #expect(!calls.contains { $0.hasPrefix("remove-volume") })
    }

    @Test("prune_volumes deletes the volumes its own project dropped, after the containers using them")
    func pruneVolumes() async {
        let engine = RecordingEngine()
        let after = F.state("name: shop\nx-bosun: {prune_volumes: true}\nservices:\n  other: {image: \"busybox:1.35\"}\n")
        let (_, report) = await F.execute(after, F.observed(F.state()), engine: engine)
        #expect(report.isComplete)
        #expect(await engine.calls.suffix(1) == ["remove-volume shop_data"])
    }

    @Test("a failed network skips what needs it, transitively, and an independent service still converges")
    func failureSkipsDependents() async {
        let engine = RecordingEngine()
        await engine.fail("create-network shop_front", with: "no address space left")
        let (plan, report) = await F.execute(F.state(), .empty, engine: engine, concurrency: 4)
        let byLine = Dictionary(uniqueKeysWithValues: plan.operations.map { ("\($0.kind.rawValue) \($0.resource)", report.outcome($0.id)!.status) })
        #expect(byLine["create-network network:shop_front"] == .failed("create-network shop_front: no address space left"))
        #expect(byLine["create shop/app"] == .skipped("skipped: network:shop_front failed"))
        #expect(byLine["start shop/web"] == .skipped("skipped: network:shop_front failed"))
        #expect(byLine["start shop/db"] == .succeeded)
        #expect(!report.isComplete && report.failed == 1 && report.skipped == 4)
        #expect(await !engine.calls.contains("create shop-web-1"))
    }

    @Test("service_healthy: the dependent starts only when the dependency is healthy; unhealthy skips it and its dependents")
    func serviceHealthy() async {
        let engine = RecordingEngine()
        await engine.setHealth("shop-db-1", .unhealthy)
        let (plan, report) = await F.execute(F.state(), .empty, engine: engine)
        let status = { (line: String) in plan.operations.first { "\($0.kind.rawValue) \($0.resource)" == line }.flatMap { report.outcome($0.id)?.status } }
        #expect(status("start shop/db") == .succeeded)
        #expect(status("create shop/app") == .succeeded)
        #expect(status("start shop/app") == .skipped("skipped: shop/db is unhealthy"))
        #expect(status("create shop/web") == .skipped("skipped: shop/db is unhealthy"))
        let calls = await engine.calls
        #expect(calls.contains("wait-healthy shop-db-1") && !calls.contains("start shop-app-1") && !calls.contains("create shop-web-1"))
    }

    @Test("service_completed_successfully: a one-shot that fails skips its dependents; required: false only warns")
    func completedSuccessfully() async {
        let yaml = """
            name: jobs
            services:
              migrate: {image: "busybox:1.35", command: ["false"]}
              api:
                image: busybox:1.35
                depends_on: {migrate: {condition: service_completed_successfully}}
              worker:
                image: busybox:1.35
                depends_on: {migrate: {condition: service_completed_successfully, required: false}}
            """
        let engine = RecordingEngine()
        await engine.setExitCode("jobs-migrate-1", 3)
        let (plan, report) = await F.execute(F.state(yaml), .empty, engine: engine)
        let outcome = { (line: String) in plan.operations.first { "\($0.kind.rawValue) \($0.resource)" == line }.flatMap { report.outcome($0.id) } }
        #expect(outcome("start jobs/migrate")?.status == .succeeded)
        #expect(outcome("start jobs/api")?.status == .skipped("skipped: jobs/migrate did not complete successfully (exit 3)"))
        #expect(outcome("start jobs/worker")?.status == .succeeded)
        #expect(outcome("start jobs/worker")?.warnings == ["jobs/migrate did not complete successfully (exit 3) (not required: going on)"])
    }

    @Test("independent operations run concurrently: the first pull is held until the second has started")
    func concurrency() async {
        let engine = RecordingEngine()
        await engine.hold("pull docker.io/library/busybox:1.35", until: "pull docker.io/library/nginx:1.27")
        let (_, report) = await F.execute(F.state(), .empty, engine: engine, concurrency: 4)
        #expect(report.isComplete)
        #expect(await engine.peakConcurrency >= 2)
    }

    @Test("with a cap of one, a held call proves the executor does not run two at once")
    func capOfOne() async {
        let engine = RecordingEngine()
        await engine.hold("pull docker.io/library/busybox:1.35", until: "pull docker.io/library/nginx:1.27", timeout: .milliseconds(200))
        let yaml = "name: two\nservices:\n  a: {image: \"busybox:1.35\"}\n  b: {image: \"nginx:1.27\"}\n"
        let (plan, report) = await F.execute(F.state(yaml), .empty, engine: engine, concurrency: 1)
        #expect(await engine.peakConcurrency == 1)
        #expect(report.lines(for: plan)[0].hasPrefix("#0 failed  pull image:docker.io/library/busybox:1.35"))
    }

    @Test("times come from the injected clock; an empty plan completes")
    func times() async {
        let engine = RecordingEngine()
        let state = F.state()
        let (plan, report) = await F.execute(state, F.observed(state), engine: engine)
        #expect(plan.isEmpty && report.isComplete && report.outcomes.isEmpty)
        let (_, created) = await F.execute(state, .empty, engine: RecordingEngine())
        #expect(created.outcomes.allSatisfy { $0.startedAt > 1_000 && $0.endedAt > $0.startedAt })
    }
}
