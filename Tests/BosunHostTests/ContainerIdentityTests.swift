import BosunConverge
import BosunHost
import BosunPlanner
import Foundation
import Testing
import BosunTestSupport

/// A container's key on the host (its id) is its name but for one created beside another of its name: the
/// engine finds such a container by the name users and the plan know, and acts on it by its id.
@Suite("Container ids", .enabled(if: HostFixtures.rootTestsEnabled))
struct ContainerIdentityTests {
    /// An engine over recording containers in a scratch directory, `HostEngineTests.yaml` converged.
    static func converged(in dir: String) async throws -> (RecordingContainers, HostEngine, Executor) {
        let containers = RecordingContainers()
        let engine = try HostEngineTests.engine(dir, containers: containers)
        let executor = Executor(engine: engine, clock: { Int64(Date().timeIntervalSince1970 * 1000) }, concurrency: 1, conditionTimeout: .seconds(30))
        let desired = ComposeState.load(HostEngineTests.yaml)
        let observed = try await engine.observe()
        #expect(await executor.run(Planner.plan(desired: desired, observed: observed), desired: desired, observed: observed).isComplete)
        return (containers, engine, executor)
    }

    /// The bad commit of the kept-container cases: shop/db recreated with another environment, its gate failing
    /// (only the part before the gates runs: the kept container stays).
    static func recreateWithFailingGate(_ engine: HostEngine, _ executor: Executor) async throws {
        let bad = ComposeState.load(HostEngineTests.yaml.replacingOccurrences(of: "stop_signal: SIGINT", with: "stop_signal: SIGINT\n    environment: {MODE: bad}"))
        let observed = try await engine.observe()
        #expect(await executor.run(Planner.plan(desired: bad, observed: observed).splitAtGates.beforeGates, desired: bad, observed: observed).isComplete)
    }

    @Test("a container whose id is not its name is observed, waited for, recreated and removed by its id")
    func idIsNotTheName() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await Self.converged(in: dir)
        let desired = ComposeState.load(HostEngineTests.yaml)
        var observed: ObservedState
        var plan: Plan

        // shop-db-1 made again as the container beside another of its name would be: another id.
        let id = "shop-db-1.0a1b2c3d"
        try engine.inventory.update { inventory in inventory.containers[id] = inventory.containers.removeValue(forKey: "shop-db-1") }
        containers.statuses.withLock { $0[id] = $0.removeValue(forKey: "shop-db-1") }
        await engine.health.unwatch(container: "shop-db-1")
        #expect(engine.containerID(named: "shop-db-1") == id)
        observed = try await engine.observe()
        let db = try #require(observed.containers.first { $0.name == "shop-db-1" })
        #expect(db.id == id && db.status == .running)
        #expect(Planner.plan(desired: desired, observed: observed).isEmpty, "the same container: nothing to do")
        #expect(try await engine.waitHealthy(container: "shop-db-1", timeout: .seconds(30)) == .healthy)
        #expect(await engine.health.state(of: id)?.status == .healthy, "watched by its id")
        #expect(await engine.gateObservation(container: "shop-db-1").status == .running)

        // Recreated: the old one is stopped and kept aside by its id, the new one takes the free name as its id, and
        // the kept one is removed by its id once the plan's gates (none here) passed.
        let changed = ComposeState.load(HostEngineTests.yaml.replacingOccurrences(of: "stop_signal: SIGINT", with: "stop_signal: SIGINT\n    environment: {MODE: two}"))
        plan = Planner.plan(desired: changed, observed: observed)
        let before = containers.calls.count
        #expect(await executor.run(plan, desired: changed, observed: observed).isComplete)
        #expect(Array(containers.calls.dropFirst(before)) == [
            "stop \(id) SIGINT 10.0 seconds", "set-aside \(id)", "create shop-db-1", "start shop-db-1", "remove \(id)",
        ])
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"])

        // Removed by its id when its service goes.
        try engine.inventory.update { inventory in inventory.containers[id] = inventory.containers.removeValue(forKey: "shop-db-1") }
        containers.statuses.withLock { $0[id] = $0.removeValue(forKey: "shop-db-1") }
        let without = ComposeState.load(HostEngineTests.yaml.replacingOccurrences(of: "depends_on: {db: {condition: service_healthy}}", with: "")
            .replacingOccurrences(of: "  db:\n    image: localhost:5000/bosun/busybox:1.35\n    network_mode: none\n    volumes: [\"data:/etc\"]\n    healthcheck: {test: [\"CMD\", \"true\"], interval: 10ms}\n    stop_signal: SIGINT\n", with: ""))
        observed = try await engine.observe()
        plan = Planner.plan(desired: without, observed: observed)
        let removing = containers.calls.count
        #expect(await executor.run(plan, desired: without, observed: observed).isComplete, "\(plan.operations.map(\.resource))")
        #expect(Array(containers.calls.dropFirst(removing)).contains("remove \(id)"))
        #expect(engine.inventory.inventory.containers[id] == nil)
        for name in ["shop-db-1", id, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a recreate keeps the old container aside; a rollback restores it: the new one removed, the old one started")
    func keptAndRestored() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await Self.converged(in: dir)
        let good = ComposeState.load(HostEngineTests.yaml)
        var observed: ObservedState

        // The bad commit: recreated, its gate fails (the removals after the gates do not run).
        var before = containers.calls.count
        try await Self.recreateWithFailingGate(engine, executor)
        let newID = engine.containerID(named: "shop-db-1")
        #expect(newID != "shop-db-1")
        #expect(Array(containers.calls.dropFirst(before)) == ["stop shop-db-1 SIGINT 10.0 seconds", "set-aside shop-db-1", "create \(newID)", "start \(newID)"])
        #expect(engine.inventory.inventory.containers["shop-db-1"]?.role == .previous)
        #expect(engine.inventory.inventory.version == 2, "an older bosun must not read two containers of one name")

        // The rollback: the kept container has the good configuration.
        observed = try await engine.observe()
        #expect(observed.previous.map(\.id) == ["shop-db-1"] && observed.containers.first { $0.name == "shop-db-1" }?.id == newID)
        let rollback = Planner.plan(desired: good, observed: observed)
        #expect(rollback.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["restore shop/db"])
        before = containers.calls.count
        #expect(await executor.run(rollback, desired: good, observed: observed).isComplete)
        #expect(Array(containers.calls.dropFirst(before)) == ["stop \(newID) SIGINT 10.0 seconds", "remove \(newID)", "start shop-db-1"])
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"])
        #expect(engine.inventory.inventory.containers["shop-db-1"]?.role == nil && engine.inventory.inventory.version == 1)
        #expect(try await engine.waitHealthy(container: "shop-db-1", timeout: .seconds(30)) == .healthy, "watched again")
        observed = try await engine.observe()
        #expect(Planner.plan(desired: good, observed: observed).isEmpty)
        for name in ["shop-db-1", newID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }

    @Test("a kept container that cannot start is not restored: it is removed and the service created anew, the current one removed")
    func unusableKeptIsReplaced() async throws {
        try #require(HostFixtures.isRoot, "image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (containers, engine, executor) = try await Self.converged(in: dir)
        let good = ComposeState.load(HostEngineTests.yaml)
        try await Self.recreateWithFailingGate(engine, executor)
        let badID = engine.containerID(named: "shop-db-1")
        _ = containers.unstartable.withLock { $0.insert("shop-db-1") }
        let observed = try await engine.observe()
        let rollback = Planner.plan(desired: good, observed: observed)
        #expect(rollback.operations.map(\.kind) == [.restoreContainer])
        let before = containers.calls.count
        #expect(await executor.run(rollback, desired: good, observed: observed).isComplete)
        #expect(Array(containers.calls.dropFirst(before)) == [
            "stop \(badID) SIGINT 10.0 seconds", "remove \(badID)", "remove shop-db-1", "create shop-db-1", "start shop-db-1",
        ])
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"])
        #expect(engine.inventory.inventory.containers["shop-db-1"]?.role == nil)
        for name in ["shop-db-1", badID, "shop-app-1"] { await engine.health.unwatch(container: name) }
    }
}
