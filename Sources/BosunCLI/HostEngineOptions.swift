import BosunModel
import ArgumentParser
import BosunContainers
import BosunHost
import BosunNetwork
import BosunRegistry
import Foundation
import BosunRuntimeCLI

/// The options `plan` and `apply` share to reach registries, and the host engine built from them: the one
/// observation path both commands use.
struct HostEngineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A registry (host:port) to reach over plain HTTP (loopback registries are by default).", valueName: "host"))
    var insecureRegistry: [String] = []

    @Option(help: ArgumentHelp("Docker's certs.d layout: <dir>/<host:port>/ca.crt is trusted for that registry.", valueName: "dir"))
    var certsDir = "/etc/bosun/certs.d"

    @Option(help: ArgumentHelp("A docker-style config.json with registry credentials (default: $DOCKER_CONFIG or ~/.docker).", valueName: "file"))
    var registryConfig: String?

    func registryConfiguration() throws -> RegistryConfiguration {
        try HostEngineOptions.registryConfiguration(insecure: insecureRegistry, certsDir: certsDir, registryConfig: registryConfig)
    }

    /// The registry settings from these options (shared with `bosun pull`).
    static func registryConfiguration(insecure: [String], certsDir: String, registryConfig: String?) throws -> RegistryConfiguration {
        var configuration = RegistryConfiguration(certificatesDirectory: certsDir)
        configuration.insecureRegistries.formUnion(insecure)
        let environment = ProcessInfo.processInfo.environment
        let dockerConfig = registryConfig ?? (environment["DOCKER_CONFIG"] ?? ((environment["HOME"] ?? "/root") + "/.docker")) + "/config.json"
        if FileManager.default.fileExists(atPath: dockerConfig) {
            do { try configuration.addCredentials(dockerConfigAt: dockerConfig) } catch {
                throw CommandFailure(.usage, "cannot read registry credentials from \(dockerConfig): \(error)")
            }
        }
        return configuration
    }

    /// The host engine on `state`'s directory: containers are detached, monitored service containers. Set
    /// `engine.sourceFiles` once the source is read. Call `shutdown` on the returned client when done.
    func engine(state: StateOptions) throws -> (HostEngine, RegistryClient) {
        let parts = try engineParts(state: state)
        return (parts.engine, parts.client)
    }

    /// The host engine and the pieces it is made of that the agent also reads (drift, restart policies).
    struct Parts {
        var engine: HostEngine
        var client: RegistryClient
        var networks: @Sendable () throws -> NetworkManager
        var containers: DetachedContainers
    }

    func engineParts(state: StateOptions) throws -> Parts {
        let directory = state.resolvedStateDir
        let store = try state.imageStore()
        let client = RegistryClient(store: store.blobs, configuration: try registryConfiguration())
        let inventory: InventoryStore
        do { inventory = try InventoryStore(stateDirectory: directory) } catch {
            throw CommandFailure(.internalError, "\(error)")
        }
        let networks = HostEngine.once { try NetworkManager(stateDirectory: StateLayout(directory).network) }
        let sourceFiles = SourceFiles()
        let detached = state.detachedContainers()
        let containers = ServiceContainers(
            containers: detached, images: store, networkManager: networks,
            initBinary: FileManager.default.isExecutableFile(atPath: RuntimeHelperLocation.monitorPath) ? RuntimeHelperLocation.monitorPath : nil,
            sourceFiles: sourceFiles)
        let engine = HostEngine(
            images: store, puller: client, inventory: inventory, volumes: VolumeStore(stateDirectory: directory),
            containers: containers, networkManager: networks, sourceFiles: sourceFiles,
            clock: { Int64(Date().timeIntervalSince1970 * 1000) })
        return Parts(engine: engine, client: client, networks: networks, containers: detached)
    }
}
