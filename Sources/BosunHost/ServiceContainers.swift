public import BosunContainers
public import BosunConverge
public import BosunImageStore
public import BosunModel
public import BosunNetwork
public import BosunOCI
public import BosunPlanner
import BosunBundle
import BosunImageSpec
public import BosunRuntime
import BosunSeccomp
import Foundation
import Glibc

/// The containers of services, on this host: each built from its image with `ServiceBundle` on an overlay of
/// the image's layers, started under a `bosun-monitor` (so it outlives bosun), attached to its networks
/// between create and start, stopped with its stop signal and grace period, removed with everything it had.
/// What it was created from is kept in its record (`<state>/containers/<name>/container.json`, `service`), so
/// a later process (or the agent after a restart) can start it again. Every call blocks briefly on the kernel; they run on the
/// cooperative pool one container at a time, which the executor's concurrency cap bounds.
public struct ServiceContainers: ContainerOperations {
    public let containers: DetachedContainers
    public let images: ImageStore
    let networkManager: @Sendable () throws -> NetworkManager
    /// bosun's static init and monitor, bound into containers with `init: true`.
    let initBinary: String?
    /// The desired state's files: secrets (`secrets: {x: {file: ./x.txt}}`) are read from there.
    let sourceFiles: SourceFiles
    let execute: ContainerExec

    /// `execute` runs health probes; by default `ContainerRuntime.exec` of the containers' runtime.
    public init(containers: DetachedContainers, images: ImageStore, networkManager: @escaping @Sendable () throws -> NetworkManager,
                initBinary: String?, sourceFiles: SourceFiles, execute: ContainerExec? = nil) {
        self.containers = containers
        self.images = images
        self.networkManager = networkManager
        self.initBinary = initBinary
        self.sourceFiles = sourceFiles
        self.execute = execute ?? ServiceContainers.runtimeExec(containers.runtime)
    }

    /// Probes through the runtime's exec: the last 4 KiB of output kept, killed at the timeout.
    public static func runtimeExec(_ runtime: ContainerRuntime) -> ContainerExec {
        { name, argv, timeout in
            try await Blocking.run {
                let result = try runtime.exec(id: name, arguments: argv, options: ExecOptions(output: .capture(limit: 4096), timeout: timeout))
                if result.timedOut { throw HostError("probe container \(name)", cause: "the probe ran longer than \(timeout)") }
                return ExecOutput(exitCode: result.status, output: String(decoding: result.output, as: UTF8.self))
            }
        }
    }

    /// Whether `name` is a service container of bosun's convergence (its record says what it was created
    /// from), not a `bosun run -d` one.
    public static func isService(stateDirectory: String, name: String) -> Bool {
        (try? ContainerDirectory(state: stateDirectory, name: name).record.read())??.service != nil
    }

    func directory(_ name: String) -> ContainerDirectory { ContainerDirectory(state: containers.stateDirectory, name: name) }

    /// The container's record, nil when it has none or it cannot be read.
    func containerRecord(_ name: String) -> ContainerMetadata? { (try? directory(name).record.read()) ?? nil }

    // MARK: create and start

    public func create(_ target: ContainerTarget, id: String, mounts: [RuntimeSpec.Mount]) async throws {
        try await Blocking.run { try createNow(target, id: id, mounts: mounts) }
    }

    func createNow(_ target: ContainerTarget, id: String, mounts: [RuntimeSpec.Mount]) throws {
        let service = target.service
        guard let record = try images.record(service.image.description) else {
            throw HostError("create container \(id)", cause: "image \(service.image) is not in the store", hint: "pull it first")
        }
        let imageConfig = try JSONDecoder().decode(ImageConfig.self, from: Data(try images.blobs.read(record.manifest.config.digest)))
        let container = directory(id)
        let mode = service.networkMode ?? "bridge"
        guard ["bridge", "none", "host"].contains(mode) else {
            throw HostError("create container \(id)", cause: "network_mode \(mode) is not supported yet", hint: "use networks, none or host")
        }
        let hostname = service.hostname ?? String(target.name.prefix(63))
        // What an interrupted convergence left of this service's container (created, never recorded) is ours
        // to replace; a container of that name that bosun's convergence did not create is not.
        if FileManager.default.fileExists(atPath: container.root) && (containerRecord(id)?.service != nil || isHalfCreated(id)) {
            try removeNow(id)
        }
        try container.prepare(hostname: hostname, hostNetwork: mode == "host")
        var created = false
        defer { if !created { container.cleanUp() } }
        let snapshots = try images.ensureSnapshots(record)
        try OverlayRootfs.mount(lowers: snapshots, upper: container.upper, work: container.work, target: container.rootfs)
        var paths = ServiceHostPaths(files: container.files)
        paths.mounts = mounts
        paths.network = mode == "host" ? .host : .none
        paths.initBinary = initBinary
        paths.annotations = ["org.bosun.project": target.project.name, "org.bosun.service": service.name, "org.bosun.config-hash": target.configHash]
        for secret in service.secrets {
            guard let declared = target.project.secrets.first(where: { $0.key == secret.source }),
                  let file = try sourceFiles.bindPath(declared.file, digest: service.sourceDigests?["./" + declared.file]) else {
                throw HostError("create container \(id)", cause: "secret \(secret.source) has no file", hint: "declare it under secrets: with file:")
            }
            paths.secrets[secret.source] = file
        }
        paths.seccomp = try seccomp(for: service, imageConfig: imageConfig)
        paths.defaultAppArmorProfile = try AppArmorDefault.profileForContainers()
        paths.devices = try HostDevices.resolve(service.devices ?? [], for: id)
        var spec = try ServiceBundle.spec(for: service, imageConfig: imageConfig, containerName: target.name, paths: paths)
        // The cgroup is named in the bundle (relative: `bosun/<name>`), not derived from the id by whoever reads it.
        spec.linux?.cgroupsPath = id
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(spec).write(to: URL(fileURLWithPath: container.bundle + "/config.json"), options: .atomic)
        let origin = ContainerMetadata.ServiceOrigin(project: target.project, service: service, configHash: target.configHash,
                                                     imageStopSignal: imageConfig.config?.stopSignal)
        try container.record.update { current in
            current?.phase = .created
            current?.name = target.name
            current?.image = ContainerMetadata.Image(reference: record.reference, digest: record.manifestDigest.description)
            current?.command = spec.process?.args ?? []
            current?.service = origin
        }
        created = true
    }

    func seccomp(for service: Service, imageConfig: ImageConfig) throws -> RuntimeSpec.Seccomp? {
        let capabilities = BundleBuilder.capabilities(added: service.capAdd, dropped: service.capDrop)
        switch service.seccompProfile {
        case nil:
            return service.privileged ? nil : DockerDefaultProfile.policy(capabilities: capabilities)
        case "unconfined":
            return nil
        case let path?:
            // A profile file of the repository (Docker's format), from the content store, checked against its digest.
            let relative = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
            guard let file = try sourceFiles.bindPath(relative, digest: service.sourceDigests?[path]),
                  let bytes = FileManager.default.contents(atPath: file) else {
                throw HostError("build the seccomp policy of \(service.name)", cause: "the seccomp profile \(path) is not in the desired state's files")
            }
            do {
                return try DockerSeccompProfile.policy(Array(bytes), file: path, capabilities: capabilities, kernelRelease: HostKernel.release)
            } catch {
                throw HostError("build the seccomp policy of \(service.name)", cause: error.description, hint: "fix the profile in the repository")
            }
        }
    }

    /// The record of a service container and what it was created from.
    func loadRecord(_ name: String) throws -> (record: ContainerMetadata, origin: ContainerMetadata.ServiceOrigin) {
        guard let record = try directory(name).record.read(), let origin = record.service else {
            throw HostError("start container \(name)", cause: "it was not created by bosun's convergence (\(directory(name).record.path) names no service)")
        }
        return (record, origin)
    }

    public func start(_ name: String) async throws -> StartedContainer {
        try await Blocking.run { try startNow(name) }
    }

    /// `beside`: a start-first update's new container (`NetworkManager.attach`'s standby).
    func startNow(_ name: String, beside: Bool = false) throws -> StartedContainer {
        let (record, origin) = try loadRecord(name)
        let container = directory(name)
        // A container that ran before is started again from the same files, as `docker start` does.
        if (try? containers.inspect(name)) != nil {
            try containers.forgetExited(name)
        }
        // After a reboot the overlay is gone: mounted again on the same upper layer.
        try ContainerRootfs.ensureMounted(container, image: record.image, images: images)
        let service = origin.service
        let mode = service.networkMode ?? "bridge"
        let attachments = service.networks.map { attachment in
            var hostAttachment = attachment
            hostAttachment.network = origin.project.networks.first { $0.key == attachment.network }?.name ?? attachment.network
            return hostAttachment
        }
        var metadata = ContainerMetadata(
            name: record.name, image: record.image, command: record.command, created: record.created,
            stopSignal: service.stopSignal ?? origin.imageStopSignal,
            stopTimeout: service.stopGracePeriod.map { Double($0.nanoseconds) / 1e9 },
            log: LogOptions(maxSize: service.logging.maxSize?.bytes, maxFile: service.logging.maxSize == nil ? nil : service.logging.maxFile),
            labels: ["org.bosun.project": origin.project.name, "org.bosun.service": service.name, "org.bosun.config-hash": origin.configHash],
            restartPolicy: service.restart.description, network: mode == "bridge" ? attachments.first?.network : mode,
            ports: service.ports.map(\.publishedText), bundle: container.bundle)
        metadata.service = origin
        let manager = mode == "host" ? nil : try networkManager()
        // After a reboot `network.json` still lists the networks but their bridges are gone: built again first.
        if let manager, mode != "none" { for attachment in attachments { try manager.ensureBridge(of: attachment.network) } }
        do {
            try containers.create(metadata, id: name) { pid in
                guard let manager else { return }
                let netns = "/proc/\(pid)/ns/net"
                if mode == "none" || attachments.isEmpty {
                    try manager.attachLoopbackOnly(netnsPath: netns)
                    return
                }
                let interfaces = try manager.attach(
                    containerID: name, netnsPath: netns, attachments: attachments, ports: service.ports,
                    names: [service.name, record.name] + (service.hostname.map { [$0] } ?? []), dns: DNSSettings(service),
                    hostsFile: container.files.hosts, standby: beside ? true : nil)
                let published = manager.publishedPorts(containerID: name).map(\.publishedText)
                try container.record.update { current in
                    current?.address = interfaces.first.map { "\($0.address)" }
                    current?.publishedPorts = published
                }
                // The container's /etc/hosts and resolv.conf are bound from its own files: fill them in place.
                for (from, to) in [(manager.hostsPath(containerID: name), container.files.hosts),
                                   (manager.resolvConfPath(containerID: name), container.files.resolvConf)] {
                    if let text = try? String(contentsOfFile: from, encoding: .utf8), let handle = FileHandle(forWritingAtPath: to) {
                        try handle.truncate(atOffset: 0)
                        try handle.write(contentsOf: Data(text.utf8))
                        try handle.close()
                    }
                }
            }
        } catch {
            if let manager, mode == "bridge" { try? manager.detach(containerID: name) }
            throw error
        }
        return StartedContainer(startedAt: Int64(Date().timeIntervalSince1970 * 1000), address: addressNow(name))
    }

    // MARK: change and stop

    public func updateLimits(_ name: String, to limits: ResourceLimits) async throws {
        try await Blocking.run { try updateLimitsNow(name, to: limits) }
    }

    func updateLimitsNow(_ name: String, to limits: ResourceLimits) throws {
        var resources = ServiceBundle.resources(limits) ?? RuntimeSpec.LinuxResources()
        // A limit that disappeared from the manifest is lifted, not left in force.
        var memory = resources.memory ?? RuntimeSpec.LinuxResources.Memory()
        memory.limit = memory.limit ?? -1
        memory.swap = memory.swap ?? (memory.limit == -1 ? -1 : nil)
        memory.reservation = memory.reservation ?? -1
        resources.memory = memory
        var cpu = resources.cpu ?? RuntimeSpec.LinuxResources.CPU()
        cpu.quota = cpu.quota ?? -1
        resources.cpu = cpu
        resources.pids = resources.pids ?? .init(limit: 0)
        try containers.runtime.update(id: name, resources: resources)
        // Keep the bundle and the record in step, so a later start runs with the new limits.
        try directory(name).record.update { current in
            guard current?.service != nil else {
                throw HostError("update container \(name)", cause: "it was not created by bosun's convergence (its record names no service)")
            }
            current?.service?.service.resources = limits
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bundleConfig = directory(name).bundle + "/config.json"
        if let data = FileManager.default.contents(atPath: bundleConfig) {
            var spec = try JSONDecoder().decode(RuntimeSpec.self, from: data)
            spec.linux?.resources = ServiceBundle.resources(limits)
            try encoder.encode(spec).write(to: URL(fileURLWithPath: bundleConfig), options: .atomic)
        }
    }

    public func bindSources(_ name: String) async -> [String: String] {
        guard let data = FileManager.default.contents(atPath: directory(name).bundle + "/config.json"),
              let spec = try? JSONDecoder().decode(RuntimeSpec.self, from: data) else { return [:] }
        var sources: [String: String] = [:]
        for mount in spec.mounts ?? [] where mount.type == "bind" || (mount.options ?? []).contains("rbind") || (mount.options ?? []).contains("bind") {
            if let source = mount.source { sources[mount.destination] = source }
        }
        return sources
    }

    public func stop(_ name: String, signal: String?, grace: Duration) async throws {
        guard (try? containers.inspect(name)) != nil else { return }
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let containers = containers
        try await Blocking.run { _ = try containers.stop(name, signal: signal.flatMap(SignalName.number), grace: seconds) }
    }

    public func remove(_ name: String) async throws {
        try await Blocking.run { try removeNow(name) }
    }

    /// Whether the directory of `name` is what a create killed before it finished left: a record that names
    /// no service, no start asked for, nothing the runtime knows. Nobody can use it; the next create replaces it.
    func isHalfCreated(_ name: String) -> Bool {
        containerRecord(name)?.service == nil && neverStarted(name)
    }

    /// No start was ever asked for (the record's phase is before `started`) and the runtime knows nothing of it.
    func neverStarted(_ name: String) -> Bool {
        containerRecord(name)?.phase != .started && (try? containers.runtime.state(id: name)) == nil
    }

    public func removeInterrupted(_ name: String) async -> InterruptedRemoval {
        (try? await Blocking.run { removeInterruptedNow(name) }) ?? InterruptedRemoval(.failed, reason: "the sweep of \(name) did not run")
    }

    /// Only a directory that nobody is making any more (its `creator` is gone — or is this process, which holds
    /// the convergence lock — or it has none) and that never became a container (no start asked for, nothing
    /// the runtime knows) is removed.
    func removeInterruptedNow(_ name: String) -> InterruptedRemoval {
        let container = directory(name)
        guard FileManager.default.fileExists(atPath: container.root) else { return InterruptedRemoval(.absent) }
        if container.creatorIsAlive && !container.createdByThisProcess {
            let creator = container.creator?.split(separator: " ").first.map(String.init) ?? "?"
            return InterruptedRemoval(.kept, reason: "the process creating it (pid \(creator)) still runs")
        }
        guard neverStarted(name) else {
            return InterruptedRemoval(.kept, reason: "it started (\(container.record.path) says so, or the runtime knows it)")
        }
        do {
            try removeNow(name)
            return InterruptedRemoval(.removed)
        } catch {
            return InterruptedRemoval(.failed, reason: "\(error)")
        }
    }

    func removeNow(_ name: String) throws {
        let container = directory(name)
        guard FileManager.default.fileExists(atPath: container.root) else { return }
        if let manager = try? networkManager() { try? manager.detach(containerID: name) }
        if (try? containers.inspect(name)) != nil {
            try containers.remove(name, force: true)
        } else {
            containers.runtime.removeIncomplete(id: name, bundle: container.bundle)
            container.cleanUp()
        }
    }

    public func setAside(_ id: String) async throws {
        try await Blocking.run {
            let record = try directory(id).record.update { current in
                current?.address = nil
                current?.publishedPorts = nil
            }
            if record?.service?.service.networkMode ?? "bridge" == "bridge", let manager = try? networkManager() {
                try manager.detach(containerID: id)
            }
        }
    }

    public func prepareStart(_ id: String) async throws {
        try await Blocking.run {
            let (record, _) = try loadRecord(id)
            try ContainerRootfs.ensureMounted(directory(id), image: record.image, images: images)
        }
    }

    public func migrateRecords() async -> RecordMigration {
        let containers = containers
        let result = try? await Blocking.run { containers.migrateRecords() }
        return RecordMigration(migrated: result?.migrated ?? [], failed: result?.failed ?? [:])
    }

    // MARK: observe

    public func status(_ name: String) async -> ObservedContainer.Status {
        if let status = try? containers.inspect(name, stats: false) {
            switch status.state {
            case .running: return .running
            case .exited(let record): return .exited(code: record.exitCode)
            case .unknown: return .exited(code: -1)
            }
        }
        return containerRecord(name)?.service != nil ? .created : .missing
    }

    public func address(_ name: String) async -> String? { addressNow(name) }

    func addressNow(_ name: String) -> String? { Self.address(stateDirectory: containers.stateDirectory, name: name) }

    /// The IPv4 address the container `name` got on its first network, as recorded when it started.
    public static func address(stateDirectory: String, name: String) -> String? {
        (try? ContainerDirectory(state: stateDirectory, name: name).record.read())??.address
    }

    public func waitExit(_ name: String, timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch await status(name) {
            case .exited(let code): return code
            case .missing: throw HostError("wait for container \(name) to exit", cause: "it does not exist")
            case .running, .created:
                guard ContinuousClock.now < deadline else {
                    throw HostError("wait for container \(name) to exit", cause: "it still runs after \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    public func exec(_ name: String, argv: [String], timeout: Duration) async throws -> ExecOutput {
        try await execute(name, argv, timeout)
    }
}
