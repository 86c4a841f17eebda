import BosunConverge
import BosunHost
import BosunManifest
import BosunModel
import BosunOCI
import BosunPlanner
import BosunRegistry
import Foundation
import Synchronization
import Testing
import BosunTestSupport

/// Container operations that record calls and keep each container's status, as the monitor would.
final class RecordingContainers: ContainerOperations {
    let log = Mutex<[String]>([])
    let statuses = Mutex<[String: ObservedContainer.Status]>([:])
    let mounts = Mutex<[String: [RuntimeSpec.Mount]]>([:])
    /// Calls other than health probes (which keep coming on their own schedule).
    var calls: [String] { log.withLock { $0.filter { !$0.hasPrefix("exec ") } } }

    func create(_ target: ContainerTarget, id: String, mounts: [RuntimeSpec.Mount]) async throws {
        log.withLock { $0.append("create \(id)") }
        self.mounts.withLock { $0[id] = mounts }
        statuses.withLock { $0[id] = .created }
    }
    func start(_ name: String) async throws -> StartedContainer {
        log.withLock { $0.append("start \(name)") }
        statuses.withLock { $0[name] = .running }
        return StartedContainer(startedAt: 0, address: nil)
    }
    func updateLimits(_ name: String, to limits: ResourceLimits) async throws {
        log.withLock { $0.append("update-limits \(name) \(limits.memoryLimit?.description ?? "-")") }
    }
    func stop(_ name: String, signal: String?, grace: Duration) async throws {
        log.withLock { $0.append("stop \(name) \(signal ?? "SIGTERM") \(grace)") }
        statuses.withLock { $0[name] = .exited(code: 0) }
    }
    func remove(_ name: String) async throws {
        log.withLock { $0.append("remove \(name)") }
        statuses.withLock { $0[name] = nil }
        _ = standby.withLock { $0.remove(name) }
    }
    func setAside(_ id: String) async throws {
        log.withLock { $0.append("set-aside \(id)") }
        _ = standby.withLock { $0.remove(id) }
    }
    /// Containers started beside the one they replace, not serving yet.
    let standby = Mutex<Set<String>>([])
    func startBeside(_ id: String) async throws -> StartedContainer {
        log.withLock { $0.append("start-beside \(id)") }
        if besideFails.withLock({ $0 }) { throw HostError("start container \(id)", cause: "it exited with code 1") }
        statuses.withLock { $0[id] = .running }
        _ = standby.withLock { $0.insert(id) }
        return StartedContainer(startedAt: 0, address: nil)
    }
    /// Every `startBeside` fails.
    let besideFails = Mutex(false)
    func takeOver(_ id: String, from old: String?) async throws -> Bool {
        guard standby.withLock({ $0.remove(id) }) != nil else { return false }
        log.withLock { $0.append("take-over \(id) from \(old ?? "-")") }
        if let old { _ = standby.withLock { $0.insert(old) } }
        return true
    }
    func isServing(_ id: String) async -> Bool { !standby.withLock { $0.contains(id) } }
    func drain(_ id: String, limit: Duration) async -> Int {
        log.withLock { $0.append("drain \(id) \(limit)") }
        return 0
    }
    /// Containers whose start cannot be prepared (their files or image gone).
    let unstartable = Mutex<Set<String>>([])
    func prepareStart(_ id: String) async throws {
        if unstartable.withLock({ $0.contains(id) }) { throw HostError("mount the root filesystem of container \(id)", cause: "its image is gone") }
    }
    func removeInterrupted(_ name: String) async -> InterruptedRemoval {
        log.withLock { $0.append("remove-interrupted \(name)") }
        return statuses.withLock { $0.removeValue(forKey: name) } == nil ? InterruptedRemoval(.absent) : InterruptedRemoval(.removed)
    }
    func status(_ name: String) async -> ObservedContainer.Status { statuses.withLock { $0[name] ?? .missing } }
    func address(_ name: String) async -> String? { nil }
    func waitExit(_ name: String, timeout: Duration) async throws -> Int32 { 0 }
    func exec(_ name: String, argv: [String], timeout: Duration) async throws -> ExecOutput {
        log.withLock { $0.append("exec \(name) \(argv.joined(separator: " "))") }
        return ExecOutput(exitCode: 0, output: "ok")
    }
}

/// Desired states from compose text.
enum ComposeState {
    static func load(_ yaml: String) -> DesiredState {
        let tree = InMemoryFileTree(displayName: "t", files: ["shop/compose.yaml": Array(yaml.utf8)])
        let result = ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "")
        guard let state = result.state else { fatalError(result.renderedDiagnostics(pathPrefix: "")) }
        return state
    }
}

@Suite("Host engine", .enabled(if: HostFixtures.rootTestsEnabled))
struct HostEngineTests {
    /// An engine on the busybox fixture image (with `imageHealthcheck` as its config's Healthcheck, if given).
    static func engine(_ dir: String, containers: RecordingContainers, imageHealthcheck: String? = nil) throws -> HostEngine {
        let (store, _) = try HostFixtures.busybox(in: dir, healthcheck: imageHealthcheck)
        return HostEngine(images: store, puller: RecordingImagePuller(), inventory: try InventoryStore(stateDirectory: dir),
                          volumes: VolumeStore(stateDirectory: dir), containers: containers,
                          networkManager: { throw HostError("open the network manager", cause: "not in this test") },
                          clock: { Int64(Date().timeIntervalSince1970 * 1000) })
    }

    static let yaml = """
        name: shop
        services:
          db:
            image: localhost:5000/bosun/busybox:1.35
            network_mode: none
            volumes: ["data:/etc"]
            healthcheck: {test: ["CMD", "true"], interval: 10ms}
            stop_signal: SIGINT
          app:
            image: localhost:5000/bosun/busybox:1.35
            network_mode: none
            depends_on: {db: {condition: service_healthy}}
        volumes: {data: {}}
        """

    @Test("apply through the host engine: volumes filled from the image, health watched, inventory kept; recreate, limits, prune")
    func lifecycle() async throws {
        try #require(HostFixtures.isRoot, "volumes and image mounts need root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let containers = RecordingContainers()
        let engine = try Self.engine(dir, containers: containers)
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let executor = Executor(engine: engine, clock: clock, concurrency: 4, conditionTimeout: .seconds(30))

        let desired = ComposeState.load(Self.yaml)
        var observed = try await engine.observe()
        var plan = Planner.plan(desired: desired, observed: observed)
        var report = await executor.run(plan, desired: desired, observed: observed)
        #expect(report.isComplete, "\(report.lines(for: plan))")
        #expect(containers.calls == ["create shop-db-1", "start shop-db-1", "create shop-app-1", "start shop-app-1"])
        #expect(try String(contentsOfFile: dir + "/volumes/shop_data/_data/passwd", encoding: .utf8).hasPrefix("root:"))
        #expect(containers.mounts.withLock { $0["shop-db-1"] }?.first?.source == dir + "/volumes/shop_data/_data")
        #expect(await engine.health.state(of: "shop-db-1")?.status == .healthy)
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-app-1", "shop-db-1"])

        // Nothing changed: an empty plan from the same observation path.
        observed = try await engine.observe()
        #expect(Planner.plan(desired: desired, observed: observed).isEmpty)

        // A memory limit changes in place, an environment change recreates: the old container is stopped with its
        // signal and kept aside, the new one created under an id of its own and started; the kept one goes after.
        let changed = ComposeState.load(Self.yaml.replacingOccurrences(of: "depends_on:", with: "mem_limit: 64m\n    depends_on:")
            .replacingOccurrences(of: "stop_signal: SIGINT", with: "stop_signal: SIGINT\n    environment: {MODE: two}"))
        plan = Planner.plan(desired: changed, observed: observed)
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource) (\($0.cause))" } == [
            "recreate shop/db (environment.MODE changed)", "update-limits shop/app (memory limit (none) → 64m)",
            "remove kept:shop-db-1 (kept aside until the gates passed)",
        ])
        let before = containers.calls.count
        report = await executor.run(plan, desired: changed, observed: observed)
        #expect(report.isComplete, "\(report.lines(for: plan))")
        let newID = engine.containerID(named: "shop-db-1")
        #expect(newID.hasPrefix("shop-db-1.") && newID.count == "shop-db-1.".count + 8, "\(newID)")
        #expect(Array(containers.calls.dropFirst(before)).sorted() == [
            "create \(newID)", "remove shop-db-1", "set-aside shop-db-1", "start \(newID)", "stop shop-db-1 SIGINT 10.0 seconds", "update-limits shop-app-1 64m",
        ].sorted())
        #expect(engine.inventory.inventory.containers[newID]?.name == "shop-db-1" && engine.inventory.inventory.containers["shop-db-1"] == nil)
        #expect(engine.inventory.inventory.containers["shop-app-1"]?.spec.resources.memoryLimit == ByteSize(bytes: 64 << 20))

        // The project drops app and its volume (opting in): app is stopped and removed, the volume deleted.
        let pruned = ComposeState.load("name: shop\nx-bosun: {prune_volumes: true}\nservices:\n  other: {image: \"localhost:5000/bosun/busybox:1.35\", network_mode: none}\n")
        observed = try await engine.observe()
        plan = Planner.plan(desired: pruned, observed: observed)
        report = await executor.run(plan, desired: pruned, observed: observed)
        #expect(report.isComplete, "\(report.lines(for: plan))")
        #expect(engine.inventory.inventory.containers.keys.sorted() == ["shop-other-1"])
        #expect(engine.inventory.inventory.volumes.isEmpty && !FileManager.default.fileExists(atPath: dir + "/volumes/shop_data"))
        await engine.health.unwatch(container: "shop-db-1")
        await engine.health.unwatch(container: newID)
    }

    @Test("bosun never touches what its inventory does not list")
    func ownership() async throws {
        try #require(HostFixtures.isRoot, "the image store fixture needs root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let containers = RecordingContainers()
        let engine = try Self.engine(dir, containers: containers)
        let stranger = ObservedContainer(project: "x", service: "y", name: "not-ours", spec: Service(name: "y", image: try ImageReference(parsing: "busybox")), status: .running)
        await #expect(throws: HostError.self) { try await engine.stopContainer(stranger) }
        await #expect(throws: HostError.self) { try await engine.removeContainer(stranger) }
        await #expect(throws: HostError.self) { try await engine.removeVolume(named: "not-ours") }
        await #expect(throws: HostError.self) { try await engine.removeNetwork(named: "not-ours") }
        #expect(containers.calls.isEmpty)
    }
}
