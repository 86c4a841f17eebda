public import BosunConverge
public import BosunImageStore
public import BosunModel
public import BosunNetwork
public import BosunPlanner
public import BosunRegistry
import BosunImageSpec
import Foundation
import Synchronization

/// The real engine: images through the registry client and image store, networks through the network
/// manager, volumes through the volume store, containers through `ContainerOperations`; everything it
/// creates is recorded in the inventory before it returns, and removed from it when deleted. It never acts
/// on what the inventory does not list.
public final class HostEngine: ConvergenceEngine {
    public let images: ImageStore
    public let puller: any ImagePuller
    public let inventory: InventoryStore
    public let volumes: VolumeStore
    public let containers: any ContainerOperations
    public let health: HealthMonitor
    /// Where relative bind sources resolve (the source directory or the commit's export).
    public let sourceFiles: SourceFiles
    var mounts: ServiceMounts { ServiceMounts(volumes: volumes, sources: sourceFiles) }
    let networkManager: @Sendable () throws -> NetworkManager
    let clock: @Sendable () -> Int64

    /// `networkManager` is called when a network is first needed (it opens netlink and nftables).
    public init(images: ImageStore, puller: any ImagePuller, inventory: InventoryStore, volumes: VolumeStore,
                containers: any ContainerOperations, networkManager: @escaping @Sendable () throws -> NetworkManager,
                sourceFiles: SourceFiles = SourceFiles(), clock: @escaping @Sendable () -> Int64) {
        self.images = images
        self.puller = puller
        self.inventory = inventory
        self.volumes = volumes
        self.containers = containers
        self.networkManager = Self.once(networkManager)
        self.clock = clock
        self.sourceFiles = sourceFiles
        health = HealthMonitor(prober: HealthProber(exec: { name, argv, timeout in
            try await containers.exec(name, argv: argv, timeout: timeout)
        }, clock: clock))
    }

    /// A factory that runs once and keeps its result (or its error, to run again next time).
    public static func once<T: Sendable>(_ make: @escaping @Sendable () throws -> T) -> @Sendable () throws -> T {
        let cached = Mutex<T?>(nil)
        return {
            try cached.withLock { value in
                if let value { return value }
                let made = try make()
                value = made
                return made
            }
        }
    }

    // MARK: images

    public func pullImage(_ image: ImageReference) async throws {
        let pulled = try await puller.pull(image, progress: nil)
        let record = ImageRecord(
            reference: image.description, manifestDigest: pulled.manifestDigest, manifest: pulled.manifest,
            platform: pulled.platform ?? pulled.imageConfig.architecture.map { Platform(architecture: $0, os: pulled.imageConfig.os ?? "linux") },
            diffIDs: pulled.imageConfig.rootfs?.diffIDs ?? [], storedAt: clock())
        try images.save(record)
        try images.ensureSnapshots(record)
    }

    public func imageDigest(_ image: ImageReference) async -> String? {
        (try? images.record(image.description))?.map { $0.manifestDigest.description }
    }

    // MARK: networks and volumes

    public func createNetwork(_ network: Network, project: Project) async throws {
        _ = try networkManager().ensureNetwork(network)
        try inventory.update { $0.recordNetwork(network.name, project: project.name) }
    }

    public func removeNetwork(named name: String) async throws {
        guard inventory.inventory.networks[name] != nil else { throw notOwned("network", name) }
        try networkManager().removeNetwork(named: name)
        try inventory.update { $0.networks[name] = nil }
    }

    public func createVolume(_ volume: Volume, project: Project) async throws {
        try volumes.create(volume.name)
        try inventory.update { $0.recordVolume(volume.name, project: project.name) }
    }

    public func removeVolume(named name: String) async throws {
        guard inventory.inventory.volumes[name] != nil else { throw notOwned("volume", name) }
        try volumes.remove(name)
        try inventory.update { $0.volumes[name] = nil }
    }

    func notOwned(_ kind: String, _ name: String) -> HostError {
        HostError("remove \(kind) \(name)", cause: "bosun did not create it (it is not in the inventory)", hint: "bosun never touches what it did not create")
    }

    // MARK: containers

    /// The create is noted as pending in the inventory first, so that what a kill in the middle of it leaves is
    /// known to be bosun's and swept by the next convergence (`sweepInterrupted`).
    public func createContainer(_ target: ContainerTarget) async throws {
        let lowers = try imageLowers(target.service.image)
        let resolved = try mounts.mounts(for: target, imageLowers: lowers)
        let id = newID(for: target.name)
        try inventory.update { $0.recordPendingContainer(target, id: id) }
        do {
            try await containers.create(target, id: id, mounts: resolved)
        } catch {
            // A create that failed here cleaned up after itself; if it could not, the note stays for the sweep.
            if await containers.removeInterrupted(id).action != .failed {
                try? inventory.update { $0.pendingContainers[id] = nil }
            }
            throw error
        }
        let imageCheck = imageHealthCheck(target.service.image)
        try inventory.update { $0.recordContainer(target, id: id, imageHealthcheck: imageCheck) }
    }

    /// The id a new container of `name` gets: the name itself unless a container bosun keeps has it (one kept
    /// aside by a recreate), then `<name>.<8 hex>`.
    func newID(for name: String) -> String {
        let taken = Set(inventory.inventory.containers.keys).union(inventory.inventory.pendingContainers.keys)
        guard taken.contains(name) else { return name }
        while true {
            let id = name + "." + String(format: "%08x", UInt32.random(in: .min ... .max))
            if !taken.contains(id) { return id }
        }
    }

    /// The id of the container users know as `name` (the name itself when bosun has none of that name).
    public func containerID(named name: String) -> String {
        inventory.inventory.containerID(named: name) ?? name
    }

    /// While a kept container of the name still runs and serves (what a kill in the middle of a start-first
    /// recreate, or a gate that failed without a rollback, leaves), the container starts beside it: the gate's
    /// take-over moves the traffic, and two versions never serve at once.
    public func startContainer(_ target: ContainerTarget) async throws {
        let id = containerID(named: target.name)
        if let kept = inventory.inventory.previousID(named: target.name), case .running = await containers.status(kept) {
            await watchHealth(id, started: try await containers.startBeside(id))
        } else {
            await watchHealth(id, started: try await containers.start(id))
        }
    }

    /// Probes the health check of the container `id`, which has just started, from now on.
    func watchHealth(_ id: String, started: StartedContainer) async {
        if let check = healthCheck(id: id) {
            await health.watch(container: id, check: check, startedAt: started.startedAt, address: started.address)
        }
    }

    /// The health check the container users know as `name` runs (its service's, its image's, or both
    /// merged); nil for none.
    public func healthCheck(of name: String) -> HealthCheck? { healthCheck(id: containerID(named: name)) }

    /// The health check of the container `id`.
    public func healthCheck(id: String) -> HealthCheck? {
        inventory.inventory.containers[id]?.healthcheck
    }

    /// The image's HEALTHCHECK, as a `HealthCheck` with Docker's defaults for what it leaves out.
    func imageHealthCheck(_ image: ImageReference) -> HealthCheck? {
        guard let record = try? images.record(image.description), let bytes = try? images.blobs.read(record.manifest.config.digest),
              let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) else { return nil }
        return ImageHealthCheck.check(config.config?.healthcheck)
    }

    public func updateLimits(_ target: ContainerTarget) async throws {
        let id = containerID(named: target.name)
        try await containers.updateLimits(id, to: target.service.resources)
        try inventory.update { $0.recordContainer(target, id: id) }
    }

    /// The old container is kept aside (its network released, its files kept) until the convergence's gates
    /// pass (`removeKept`), so that a rollback starts it again (`restoreContainer`); an older kept container of
    /// that name goes first. The new one gets its own id. Stop-first stops the old one first; start-first
    /// (when it runs) starts the new one beside it (`recreateBeside`).
    public func recreateContainer(_ target: ContainerTarget) async throws {
        let id = try await replacedContainer(named: target.name)
        if target.order == .startFirst, inventory.inventory.containers[id] != nil, case .running = await containers.status(id) {
            try await recreateBeside(target, running: id)
            return
        }
        try await stopRecorded(id)
        if inventory.inventory.containers[id] != nil {
            await health.quiesce(container: id)
            try await removeKept(named: target.name)
            try await containers.setAside(id)
            try inventory.update { $0.containers[id]?.role = .previous }
        } else {
            try await removeRecorded(id)
        }
        try await createContainer(target)
        try await startContainer(target)
    }

    /// The current container (the one whose gate failed, or what is left of it) is removed; the kept one
    /// becomes current again and starts — attached afresh to its networks, its files and upper layer as it
    /// left them. No image is needed: its overlay is still mounted (after a reboot it is mounted again from
    /// its image, by digest).
    /// When the kept container cannot start (its files or its image are gone), it is removed and the target
    /// created anew instead, as a recreate would — checked before the current container is touched.
    public func restoreContainer(_ target: ContainerTarget, kept: ObservedContainer) async throws {
        guard inventory.inventory.containers[kept.id]?.role == .previous else { throw notOwned("kept container", kept.id) }
        if case .running = await containers.status(kept.id) {
            try await restoreRunning(target, kept: kept.id)
            return
        }
        var usable = true
        do { try await containers.prepareStart(kept.id) } catch { usable = false }
        if let current = inventory.inventory.containerID(named: target.name) {
            try await stopRecorded(current)
            try await removeRecorded(current)
        }
        guard usable else {
            try await removeKept(named: target.name)
            try await createContainer(target)
            try await startContainer(target)
            return
        }
        try inventory.update { $0.containers[kept.id]?.role = nil }
        try await startContainer(target)
    }

    /// Removes the container kept aside for `name`, if any. One that still serves (a start-first update whose
    /// gate failed and was not rolled back) hands the traffic to the current container first.
    public func removeKept(named name: String) async throws {
        guard let kept = inventory.inventory.previousID(named: name) else { return }
        if let current = inventory.inventory.containerID(named: name) { _ = try await containers.takeOver(current, from: kept) }
        if case .running = await containers.status(kept) { try await stopRecorded(kept) }
        try await removeRecorded(kept)
    }

    /// Stops the container `id` with its recorded stop signal and grace period; its health is no longer watched.
    func stopRecorded(_ id: String) async throws {
        let spec = inventory.inventory.containers[id]?.spec
        await health.unwatch(container: id)
        try await containers.stop(id, signal: spec?.stopSignal, grace: Self.grace(spec))
    }

    /// Removes the stopped container `id` (once its last probe ended) and its inventory entry.
    func removeRecorded(_ id: String) async throws {
        await health.unwatch(container: id)
        await health.quiesce(container: id)
        try await containers.remove(id)
        try inventory.update { $0.containers[id] = nil }
    }

    public func stopContainer(_ container: ObservedContainer) async throws {
        guard inventory.inventory.owns(container: container.id) else { throw notOwned("container", container.name) }
        await health.unwatch(container: container.id)
        try await containers.stop(container.id, signal: container.spec.stopSignal, grace: Self.grace(container.spec))
    }

    public func removeContainer(_ container: ObservedContainer) async throws {
        guard inventory.inventory.owns(container: container.id) else { throw notOwned("container", container.name) }
        try await removeRecorded(container.id)
    }

    /// The stop grace period: the service's, or Docker's 10 seconds.
    static func grace(_ spec: Service?) -> Duration {
        .nanoseconds(spec?.stopGracePeriod?.nanoseconds ?? 10_000_000_000)
    }

    func imageLowers(_ image: ImageReference) throws -> [String] {
        guard let record = try images.record(image.description) else {
            throw HostError("create a container from \(image)", cause: "the image is not in the store", hint: "pull it first")
        }
        return try images.ensureSnapshots(record)
    }

    // MARK: waits

    public func waitStarted(container name: String, timeout: Duration) async throws {
        let id = containerID(named: name)
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await containers.status(id) {
            case .running: return
            case .exited(let code):
                throw HostError("wait for \(name) to start", cause: "it exited with code \(code)")
            case .created, .missing:
                guard ContinuousClock.now < deadline else { throw HostError("wait for \(name) to start", cause: "it did not start in \(timeout)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// A container started by an earlier run (this process has not been probing it) is watched from now on,
    /// as if it had just started.
    public func waitHealthy(container name: String, timeout: Duration) async throws -> HealthStatus {
        let id = containerID(named: name)
        if await health.state(of: id) == nil, let check = healthCheck(id: id),
           case .running = await containers.status(id) {
            await health.watch(container: id, check: check, startedAt: clock(), address: await containers.address(id))
        }
        // Wait in short slices so that a container that exits while starting fails the wait at once, not after
        // all its retries.
        let deadline = ContinuousClock.now + timeout
        while true {
            try Task.checkCancellation()  // the agent's shutdown must not wait for a health check's whole budget
            let slice = min(deadline - ContinuousClock.now, .seconds(1))
            let status = try await health.waitHealthy(container: id, timeout: max(slice, .zero))
            if status != .starting || ContinuousClock.now >= deadline { return status }
            if case .exited(let code) = await containers.status(id) {
                throw HostError("wait for \(name) to be healthy", cause: "it exited with code \(code) before it was healthy",
                                hint: "`bosun logs \(name)` shows its output")
            }
        }
    }

    public func waitCompleted(container name: String, timeout: Duration) async throws -> Int32 {
        try await containers.waitExit(containerID(named: name), timeout: timeout)
    }

    public func gateObservation(container name: String) async -> GateObservation {
        let recorded = inventory.inventory  // one read per observation: the gate asks many times a second
        let id = recorded.containerID(named: name) ?? name
        let check = recorded.containers[id]?.healthcheck.flatMap { $0.isDisabled ? nil : $0 }
        let state = await health.state(of: id)
        return GateObservation(status: await containers.status(id), check: check,
                               health: check == nil ? nil : state?.status ?? .starting, lastOutput: state?.log.last?.output)
    }

    // MARK: observe

    public func observe() async throws -> ObservedState {
        let containers = containers
        let volumes = volumes
        let images = images
        let recorded = Set((try? networkManager())?.networks.map(\.name) ?? inventory.inventory.networks.keys.map { $0 })
        let facts = HostFacts(
            containerStatus: { await containers.status($0) },
            networkExists: { recorded.contains($0) },
            volumeExists: { volumes.exists($0) },
            images: { Set(try images.records().keys) })
        var observed = try await inventory.inventory.observe(facts)
        for index in observed.containers.indices where observed.containers[index].spec.sourceDigests == nil {
            observed.containers[index].sourceDigestsOnDisk = await legacySourceDigests(observed.containers[index])
        }
        return observed
    }

    /// For a container recorded before source digests: the digests of the repository paths it binds, read
    /// where its bundle says they are (an old commit's export); a path that is gone reads as `missing`, so the
    /// container is recreated. Nil when it binds none.
    func legacySourceDigests(_ container: ObservedContainer) async -> [String: String]? {
        let binds = container.spec.volumes.filter { $0.kind == .bind && $0.source?.hasPrefix("./") == true }
        guard !binds.isEmpty else { return nil }
        let hostPaths = await containers.bindSources(container.id)
        var digests: [String: String] = [:]
        for mount in binds {
            guard let source = mount.source, let host = hostPaths[mount.target] else { continue }
            let tree = StoredFileTree(root: (host as NSString).deletingLastPathComponent)
            digests[source] = (try? SourceDigest.of(tree, path: (host as NSString).lastPathComponent)) ?? "missing"
        }
        return digests
    }
}
