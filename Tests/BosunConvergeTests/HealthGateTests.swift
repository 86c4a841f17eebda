import BosunConverge
import BosunModel
import BosunPlanner
import BosunTestSupport
import Testing

/// The health gate against the recording engine: which containers it watches, and each way one fails.
@Suite("Health gate")
struct HealthGateTests {
    func gate(_ engine: RecordingEngine) -> HealthGate { HealthGate.stepping(engine) }

    let check = HealthCheck(test: ["CMD", "true"])

    @Test("created and recreated containers are gated with their policies; limit updates and removals are not; one-shots are known")
    func targets() {
        let desired = ConvergeFixtures.state("""
            name: shop
            services:
              migrate: {image: busybox:1.35}
              web:
                image: nginx:1.27
                depends_on: {migrate: {condition: service_completed_successfully}}
                deploy: {update_config: {monitor: 30s}}
              db:
                image: postgres:16
                volumes: ["data:/var/lib/postgresql/data"]
            volumes: {data: {}}
            """)
        var observed = ConvergeFixtures.observed(desired)
        observed.containers.removeAll { $0.service == "web" }
        observed.containers[observed.containers.firstIndex { $0.service == "db" }!].spec.image = try! ImageReference(parsing: "postgres:15")
        let plan = Planner.plan(desired: desired, observed: observed)
        let targets = HealthGate.targets(plan: plan, desired: desired)
        #expect(targets.map(\.resource).sorted() == ["shop/db", "shop/web"])
        let db = targets.first { $0.resource == "shop/db" }
        #expect(db?.policy.order == .stopFirst && db?.policy.orderReason == "a named volume mounted read-write (data)")
        #expect(targets.first { $0.resource == "shop/web" }?.policy.monitor == .seconds(30))
        let all = HealthGate.targets(plan: Planner.plan(desired: desired, observed: .empty), desired: desired)
        #expect(all.first { $0.resource == "shop/migrate" }?.oneShot == true)
    }

    @Test("a container that runs (and is healthy) for its whole monitor passes")
    func passes() async {
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running, check: check, health: .healthy, lastOutput: "ok")])
        let policy = RolloutPolicy.update(Service(name: "web", image: try! ImageReference(parsing: "nginx")), projectDefault: nil)
        let result = await gate(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy))
        #expect(result.passed && result.check == .monitor && result.reason == nil && result.output == "ok")
        let calls = await engine.calls
        #expect(Array(calls.prefix(3)) == ["wait-started shop-web-1", "observe-gate shop-web-1", "wait-healthy shop-web-1"])
        #expect(calls.filter { $0 == "observe-gate shop-web-1" }.count >= 5)
    }

    @Test("a container that exits within its monitor fails it, with the code")
    func exitsDuringMonitor() async {
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running), GateObservation(status: .running),
                                                        GateObservation(status: .exited(code: 137))])
        let policy = RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: .seconds(0))
        let result = await gate(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy))
        #expect(!result.passed && result.check == .monitor)
        #expect(result.reason == "it exited with code 137 within its 10s monitor")
    }

    @Test("an unhealthy container fails at the health check with the probe's last output; a dead one at the start")
    func unhealthyAndNotStarted() async {
        let engine = RecordingEngine()
        await engine.setHealth("shop-web-1", .unhealthy)
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running, check: check, health: .unhealthy, lastOutput: "connection refused")])
        await engine.fail("wait-started shop-db-1", with: "it exited with code 1")
        let policy = RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: .seconds(0))
        let results = await gate(engine).run([.init(resource: "shop/web", container: "shop-web-1", policy: policy),
                                              .init(resource: "shop/db", container: "shop-db-1", policy: policy)])
        #expect(results.map(\.resource) == ["shop/web", "shop/db"])
        #expect(results[0].passed == false && results[0].check == .healthy && results[0].output == "connection refused")
        #expect(results[0].reason == "its health check failed 3 times in a row")
        #expect(results[1].passed == false && results[1].check == .started && results[1].reason?.contains("exited with code 1") == true)
    }

    @Test("a one-shot service passes when it exits 0 and fails with its code otherwise")
    func oneShot() async {
        let engine = RecordingEngine()
        await engine.setExitCode("shop-migrate-1", 3)
        let policy = RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: .seconds(0))
        let failed = await gate(engine).gate(.init(resource: "shop/migrate", container: "shop-migrate-1", policy: policy, oneShot: true))
        #expect(!failed.passed && failed.check == .completed && failed.reason == "it exited with code 3")
        let passed = await gate(engine).gate(.init(resource: "shop/seed", container: "shop-seed-1", policy: policy, oneShot: true))
        #expect(passed.passed && passed.check == .completed)
    }

    @Test("an exit 0 that the restart policy leaves (no, on-failure) is a job done; under always it fails the monitor")
    func exitZero() async {
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-job-1", [GateObservation(status: .running), GateObservation(status: .exited(code: 0))])
        await engine.setGateObservations("shop-daemon-1", [GateObservation(status: .running), GateObservation(status: .exited(code: 0))])
        let policy = RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: .seconds(0))
        let results = await gate(engine).run([.init(resource: "shop/job", container: "shop-job-1", policy: policy, mayComplete: true),
                                              .init(resource: "shop/daemon", container: "shop-daemon-1", policy: policy)])
        #expect(results[0].passed && results[0].check == .completed)
        #expect(!results[1].passed && results[1].reason == "it exited with code 0 within its 10s monitor")
    }

    @Test("a health check's budget cannot overflow, whatever retries the manifest holds")
    func hugeRetries() async {
        let engine = RecordingEngine()
        var check = HealthCheck(test: ["CMD", "true"])
        check.retries = Int(Int32.max)
        await engine.setHealth("shop-web-1", .starting)
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running, check: check, health: .starting)])
        let policy = RolloutPolicy(order: .startFirst, failureAction: .rollback, monitor: .seconds(10), delay: .seconds(0))
        let result = await gate(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy))
        #expect(!result.passed && result.check == .healthy && result.reason == "it was not healthy within 24h")
    }
}

/// A start-first update's take-over, as the gate orders it.
@Suite("Health gate: take-over")
struct HealthGateTakeOverTests {
    let check = HealthCheck(test: ["CMD", "true"])
    let moved = TakeOver(from: "shop-web-1", drainMilliseconds: 12, openConnections: 0)

    func policy(_ action: UpdateConfig.FailureAction) -> RolloutPolicy {
        RolloutPolicy(order: .startFirst, failureAction: action, monitor: .seconds(10), delay: .seconds(0))
    }

    @Test("once running and healthy, before the monitor, the new container takes the traffic over; the result says how it drained")
    func afterHealthBeforeMonitor() async {
        let engine = RecordingEngine()
        await engine.setGateObservations("shop-web-1", [GateObservation(status: .running, check: check, health: .healthy)])
        await engine.setTakeOver("shop-web-1", moved)
        let result = await HealthGate.stepping(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy(.rollback)))
        #expect(result.passed && result.takeOver == moved)
        let calls = await engine.calls
        let takeOver = calls.firstIndex(of: "take-over shop-web-1")
        #expect(takeOver != nil && takeOver! > calls.firstIndex(of: "wait-healthy shop-web-1")!)
        #expect(calls.dropFirst(takeOver! + 1).filter { $0 == "observe-gate shop-web-1" }.count >= 5, "the monitor watches it serving")
        #expect(await engine.takeOvers == ["shop-web-1"])
    }

    @Test("a gate failed before the take-over under rollback moves nothing; under pause or continue the new version takes over anyway")
    func failedGate() async {
        for action in [UpdateConfig.FailureAction.rollback, .pause, .continue] {
            let engine = RecordingEngine()
            await engine.setGateObservations("shop-web-1", [GateObservation(status: .running, check: check, health: .unhealthy)])
            await engine.setHealth("shop-web-1", .unhealthy)
            await engine.setTakeOver("shop-web-1", moved)
            let result = await HealthGate.stepping(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy(action)))
            #expect(!result.passed && result.check == .healthy)
            #expect(await engine.takeOvers == (action == .rollback ? [] : ["shop-web-1"]), "\(action)")
            #expect(result.takeOver == (action == .rollback ? nil : moved))
        }
    }

    @Test("a take-over that fails fails the gate, named as such")
    func takeOverFails() async {
        let engine = RecordingEngine()
        await engine.fail("take-over shop-web-1", with: "nftables refused the rules")
        let result = await HealthGate.stepping(engine).gate(.init(resource: "shop/web", container: "shop-web-1", policy: policy(.rollback)))
        #expect(!result.passed && result.check == .takeOver)
        #expect(result.reason?.contains("nftables refused the rules") == true)
        #expect(await engine.takeOvers == ["shop-web-1"], "not tried a second time")
    }
}
