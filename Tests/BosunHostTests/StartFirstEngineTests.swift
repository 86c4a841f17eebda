import BosunConverge
import BosunHost
import BosunModel
import BosunPlanner
import Foundation
import Testing
import BosunTestSupport

/// Start-first recreates through the host engine: the new container starts beside the running one, takes the
/// traffic over when the gate says so, and the old one is drained, stopped and kept; a rollback before the
/// take-over removes only the new one. (`HostEngineTests.yaml`'s shop/app has no volume: start-first by default.)
@Suite("Start-first through the host engine", .enabled(if: HostFixtures.rootTestsEnabled))
struct StartFirstEngineTests {
    static let changed = ComposeState.load(HostEngineTests.yaml.replacingOccurrences(
        of: "depends_on: {db: {condition: service_healthy}}", with: "depends_on: {db: {condition: service_healthy}}\n    environment: {MODE: two}"))

    /// The part of the changed state's plan before the gates, run: shop/app recreated start-first.
    @discardableResult
    static func recreateApp(_ engine: HostEngine, _ executor: Executor) async throws -> (Plan, ExecutionReport) {
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: changed, observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["recreate shop/app", "remove kept:shop-app-1"])
        let report = await executor.run(plan.splitAtGates.beforeGates, desired: changed, observed: observed)
        #expect(report.isComplete)
        return (plan, report)
    }

    @Test("the old container serves until the take-over, then drains, stops and is kept until the gates passed")
    func recreateThenTakeOver() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await ContainerIdentityTests.converged(in: dir)
        var before = containers.calls.count
        let (plan, report) = try await Self.recreateApp(engine, executor)
        let newID = engine.containerID(named: "shop-app-1")
        #expect(newID.hasPrefix("shop-app-1."))
        #expect(Array(containers.calls.dropFirst(before)) == ["create \(newID)", "start-beside \(newID)"], "the old one is not stopped")
        #expect(await containers.status("shop-app-1") == .running)
        #expect(engine.inventory.inventory.containers["shop-app-1"]?.role == .previous)

        before = containers.calls.count
        let moved = try #require(try await engine.takeOver(container: "shop-app-1"))
        #expect(moved.from == "shop-app-1" && moved.openConnections == 0)
        #expect(Array(containers.calls.dropFirst(before)) == [
            "take-over \(newID) from shop-app-1", "drain shop-app-1 10.0 seconds", "stop shop-app-1 SIGTERM 10.0 seconds", "set-aside shop-app-1",
        ])
        #expect(try await engine.takeOver(container: "shop-app-1") == nil, "nothing more to move")

        // The gates passed: the kept one goes.
        before = containers.calls.count
        let observed = try await engine.observe()
        #expect(await executor.run(plan.splitAtGates.afterGates, desired: Self.changed, observed: observed, settled: report.outcomes).isComplete)
        #expect(Array(containers.calls.dropFirst(before)) == ["remove shop-app-1"])
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"].map { $0 == "shop-app-1" ? newID : $0 }.sorted())
        for name in ["shop-db-1", newID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a gate that fails before the take-over: the rollback removes the new container, the old one never stopped")
    func rollbackBeforeTakeOver() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await ContainerIdentityTests.converged(in: dir)
        try await Self.recreateApp(engine, executor)
        let newID = engine.containerID(named: "shop-app-1")
        let good = ComposeState.load(HostEngineTests.yaml)
        let observed = try await engine.observe()
        let rollback = Planner.plan(desired: good, observed: observed)
        #expect(rollback.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["restore shop/app"])
        let before = containers.calls.count
        #expect(await executor.run(rollback, desired: good, observed: observed).isComplete)
        #expect(Array(containers.calls.dropFirst(before)) == ["stop \(newID) SIGTERM 10.0 seconds", "remove \(newID)"])
        #expect(await containers.status("shop-app-1") == .running)
        #expect(engine.inventory.inventory.containers["shop-app-1"]?.role == nil && engine.containerID(named: "shop-app-1") == "shop-app-1")
        #expect(Planner.plan(desired: good, observed: try await engine.observe()).isEmpty)
        for name in ["shop-db-1", newID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a new container that cannot start is removed and the old one is current again")
    func failedStartKeepsTheOld() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await ContainerIdentityTests.converged(in: dir)
        containers.besideFails.withLock { $0 = true }
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: Self.changed, observed: observed)
        let before = containers.calls.count
        let report = await executor.run(plan.splitAtGates.beforeGates, desired: Self.changed, observed: observed)
        #expect(!report.isComplete)
        let calls = Array(containers.calls.dropFirst(before))
        let newID = try #require(calls.first?.split(separator: " ").last.map(String.init))
        #expect(calls == ["create \(newID)", "start-beside \(newID)", "stop \(newID) SIGTERM 10.0 seconds", "remove \(newID)"])
        #expect(await containers.status("shop-app-1") == .running)
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"])
        #expect(engine.inventory.inventory.containers["shop-app-1"]?.role == nil)
        for name in ["shop-db-1", "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a never-serving container left by a gate that failed without a rollback is what the next recreate removes; the kept one is replaced")
    func nextRecreateAfterAFailedGate() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await ContainerIdentityTests.converged(in: dir)
        try await Self.recreateApp(engine, executor)
        let failedID = engine.containerID(named: "shop-app-1")
        let fixed = ComposeState.load(HostEngineTests.yaml.replacingOccurrences(
            of: "depends_on: {db: {condition: service_healthy}}", with: "depends_on: {db: {condition: service_healthy}}\n    environment: {MODE: three}"))
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: fixed, observed: observed)
        let before = containers.calls.count
        #expect(await executor.run(plan.splitAtGates.beforeGates, desired: fixed, observed: observed).isComplete)
        let newID = engine.containerID(named: "shop-app-1")
        #expect(Array(containers.calls.dropFirst(before)) == [
            "stop \(failedID) SIGTERM 10.0 seconds", "remove \(failedID)", "create \(newID)", "start-beside \(newID)",
        ], "the old one serves on; only the container that never served goes")
        #expect(await containers.status("shop-app-1") == .running && engine.inventory.inventory.containers["shop-app-1"]?.role == .previous)
        for name in ["shop-db-1", failedID, newID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a create while the kept container still runs (a kill in the middle of a start-first recreate) starts beside it; the gate's take-over stops it")
    func createBesideARunningKept() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await ContainerIdentityTests.converged(in: dir)
        try await Self.recreateApp(engine, executor)
        let lost = engine.containerID(named: "shop-app-1")
        // What the kill left: the kept one running, the new one gone.
        try await containers.remove(lost)
        try engine.inventory.update { $0.containers[lost] = nil }
        await engine.health.unwatch(container: lost)
        let observed = try await engine.observe()
        let plan = Planner.plan(desired: Self.changed, observed: observed)
        let before = containers.calls.count
        #expect(await executor.run(plan.splitAtGates.beforeGates, desired: Self.changed, observed: observed).isComplete)
        let newID = engine.containerID(named: "shop-app-1")
        #expect(Array(containers.calls.dropFirst(before)).suffix(1) == ["start-beside \(newID)"], "\(plan.operations.map(\.kind))")
        #expect(try await engine.takeOver(container: "shop-app-1")?.from == "shop-app-1")
        #expect(await containers.status("shop-app-1") == .exited(code: 0))
        for name in ["shop-db-1", lost, newID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }
}
