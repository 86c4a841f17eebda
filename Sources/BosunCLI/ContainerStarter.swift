import BosunModel
import BosunContainers
import BosunConverge
import BosunDaemon
import BosunHost
import BosunImageStore
import BosunNetwork
import Foundation
import BosunRuntimeCLI

/// Starts stopped containers again, as `docker start` does, for `bosun start` and the agent's `start` request:
/// a service container from its creation record (`ServiceContainers.start`: networks attached again, limits
/// as last applied), a `bosun run -d` container from its bundle with its network record. Both keep their
/// logs and upper layer; the exit record and the `stopped-by-user` mark go. Holds the convergence lock, so a
/// start never interleaves with a convergence of the same state directory.
struct ContainerStarter: Sendable {
    /// What a start did.
    enum Outcome: String, Sendable {
        case started
        /// It was running already (not an error, as with Docker).
        case alreadyRunning = "already running"
    }

    let stateDirectory: String
    let detached: DetachedContainers
    /// The image store, to mount a `run -d` container's overlay again after a reboot.
    let images: ImageStore
    /// The service containers' operations (the agent's own host engine's, or a fresh `ServiceContainers`).
    let services: any ContainerOperations

    /// A starter for the CLI, without an agent: its own `ServiceContainers` on the state directory.
    static func standalone(state: StateOptions) throws -> ContainerStarter {
        let directory = state.resolvedStateDir
        let detached = state.detachedContainers()
        let networks = HostEngine.once { try NetworkManager(stateDirectory: StateLayout(directory).network) }
        let images = try state.imageStore()
        let services = ServiceContainers(
            containers: detached, images: images, networkManager: networks,
            initBinary: FileManager.default.isExecutableFile(atPath: RuntimeHelperLocation.monitorPath) ? RuntimeHelperLocation.monitorPath : nil,
            sourceFiles: SourceFiles())
        return ContainerStarter(stateDirectory: directory, detached: detached, images: images, services: services)
    }

    func start(_ name: String) async throws -> Outcome {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw CommandFailure(.usage, "start container `\(name)`: not a container name")
        }
        let lock = try await ConvergenceLock.acquire(stateDirectory: stateDirectory)
        defer { lock.release() }
        let name = InventoryStore.containerID(named: name, stateDirectory: stateDirectory)
        if ServiceContainers.isService(stateDirectory: stateDirectory, name: name) {
            if case .running = await services.status(name) { return .alreadyRunning }
            _ = try await services.start(name)
            return .started
        }
        let detached = detached
        let state = stateDirectory
        let images = images
        let started = try await Blocking.run {
            let status = try detached.inspect(name, stats: false)
            guard !status.isRunning else { return false }
            // After a reboot the overlay is gone: mounted again on the same upper layer.
            try ContainerRootfs.ensureMounted(ContainerDirectory(state: state, name: name), image: status.metadata.image, images: images)
            let network = status.metadata.network
            return try detached.startAgain(name) { pid in
                try RunNetworking.reattach(state: state, name: name, network: network, pid: pid)
            } != nil
        }
        return started ? .started : .alreadyRunning
    }
}

/// `ContainerStarter` as the agent's control socket uses it: outcomes as words, failures as their message.
struct AgentContainerStarter: ContainerStarting {
    let starter: ContainerStarter

    func start(_ name: String) async throws -> String {
        do { return try await starter.start(name).rawValue } catch let failure as CommandFailure {
            throw StartFailure(message: failure.message)
        }
    }

    /// Why a start failed, in words.
    struct StartFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
