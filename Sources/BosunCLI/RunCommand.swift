import ArgumentParser
import BosunBundle
import BosunContainers
import BosunImageSpec
import BosunImageStore
import BosunModel
import BosunOCI
import BosunRuntime
import BosunSeccomp
import BosunHost
import Foundation
import BosunRuntimeCLI

/// `bosun run IMAGE [CMD…]`: like `docker run` in the foreground — pulls the image if missing, builds the
/// bundle from the image's config with Docker's default isolation on an overlay of its layers, runs it and
/// exits with its status. The container is removed when it exits.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container from an image (foreground and removed on exit, or detached with -d).",
        discussion: """
        In the foreground, exits with the container's status (128+signal when killed). With -d, prints the container's \
        name and leaves it running under its monitor (logs: bosun logs; bosun stop, bosun rm). 125 when bosun itself failed.
        """)

    @OptionGroup var state: StateOptions
    @OptionGroup var registry: HostEngineOptions
    @Option(help: "The container's name (default: a random one).") var name: String?
    @Option(name: [.customShort("e"), .long], help: "Set an environment variable (KEY=VALUE).") var env: [String] = []
    @Option(name: [.customShort("v"), .long], help: "Bind a host path: SRC:DST[:ro].") var volume: [String] = []
    @Option(name: [.customShort("u"), .long], help: "User (uid[:gid] or a name in the image).") var user: String?
    @Option(name: [.customShort("w"), .long], help: "Working directory in the container.") var workdir: String?
    @Option(help: "Replace the image's entrypoint.") var entrypoint: String?
    @Option(help: "Network: bridge (the default: bosun's default bridge network, created on first use and kept, as Docker's), none (loopback only), host, or the name of a bosun bridge network (created when missing).") var network = RunCommand.defaultNetwork
    @Option(name: [.customShort("p"), .long], help: "Publish a port: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/udp] (bridge networks).") var publish: [String] = []
    @Option(help: "Another name for the container on its network.") var networkAlias: [String] = []
    @Option(help: "A DNS server for the container.") var dns: [String] = []
    @Option(help: "An /etc/hosts entry, host:ip.") var addHost: [String] = []
    @Option(help: "Memory limit, e.g. 64m.") var memory: String?
    @Option(help: "CPUs, e.g. 0.5.") var cpus: Double?
    @Option(help: "Maximum number of processes.") var pidsLimit: Int64?
    @Option(help: "Add a capability.") var capAdd: [String] = []
    @Option(help: "Drop a capability (ALL for every one).") var capDrop: [String] = []
    @Option(help: ArgumentHelp("Docker's security options: no-new-privileges[:true|false], seccomp=unconfined|FILE, apparmor=PROFILE|unconfined, label=disable, systempaths=unconfined.", valueName: "option"))
    var securityOpt: [String] = []
    @Flag(help: "Mount the root filesystem read-only.") var readOnly = false
    @Flag(help: "Remove the container when it exits (always the case in the foreground; accepted for compatibility).") var rm = false
    @Flag(name: [.customShort("d"), .long], help: "Run in the background under a monitor; print the container's name.") var detach = false
    @Flag(name: [.customShort("i"), .long], help: "Keep stdin open: pass this process's stdin to the container.") var interactive = false
    @Flag(name: [.customShort("t"), .long], help: "Give the container a terminal (a pty relayed to this one; with -d, its output is logged).") var tty = false
    @Flag(name: .customLong("init"), help: "Run a minimal init as PID 1 that reaps zombies and forwards signals.") var useInit = false
    @Option(help: "The signal bosun stop sends first (default: the image's StopSignal, else SIGTERM).") var stopSignal: String?
    @Option(help: "json-file log rotation with -d: max-size=SIZE, max-file=N (default max-size=10m, max-file=3).") var logOpt: [String] = []
    @Argument(help: "The image.") var image: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (default: the image's).") var command: [String] = []

    /// Docker's default: containers join the default bridge network, so `-p` just works.
    static let defaultNetwork = "bridge"

    func validate() throws {
        guard network.first.map({ $0.isLetter || $0.isNumber }) == true, network.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }) else {
            throw ValidationError("--network \(network): use none, host, or a network name of letters, digits, '_', '.', '-'")
        }
        if !publish.isEmpty && ["none", "host"].contains(network) {
            throw ValidationError("-p needs a bridge network: leave out --network \(network) (the default bridge) or name one")
        }
        for spec in publish where (try? PortMapping.parseShort(spec)) == nil {
            throw ValidationError("-p \(spec): write [HOST_IP:]HOST_PORT:CONTAINER_PORT[/udp]")
        }
        for spec in volume where spec.split(separator: ":").count < 2 || !spec.hasPrefix("/") {
            throw ValidationError("-v \(spec): write an absolute host path and a container path, SRC:DST[:ro]")
        }
        if let stopSignal, SignalName.number(stopSignal) == nil {
            throw ValidationError("--stop-signal \(stopSignal): not a signal name or number")
        }
        do { _ = try LogOptions(options: logOpt) } catch { throw ValidationError("--log-opt: \(error)") }
        if !logOpt.isEmpty && !detach { throw ValidationError("--log-opt needs -d: a foreground container's output goes to the terminal") }
        if detach && interactive { throw ValidationError("-i with -d: stdin of a detached container cannot be attached yet (bosun has no attach)") }
        if let name, !name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }) {
            throw ValidationError("--name \(name): use letters, digits, '_', '.' and '-'")
        }
    }

    func run() async throws {
        do {
            try await runContainer()
        } catch let failure as CommandFailure where detach || failure.code != .usage {
            // Docker's convention for `run`: 125 whenever bosun itself failed (a pull, the image, the runtime).
            FileHandle.standardError.write(Data("bosun: \(failure.message)\n".utf8))
            throw PassthroughExit(125)
        }
    }

    func runContainer() async throws {
        let reference = try ImageStateOptions.parse(image)
        let store = try state.imageStore()
        var record = try store.record(reference.description)
        if record == nil {
            try await PullCommand.pull(reference, store: store, configuration: try registry.registryConfiguration(), progress: false)
            record = try store.record(reference.description)
        }
        guard let record else { throw CommandFailure(.checkFailed, "image \(reference) is not on this host after pulling it") }
        let container = ContainerDirectory(state: state.resolvedStateDir, name: name ?? "bosun-" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        var request = try makeRequest(record: record, store: store, hostname: String(container.name.prefix(63)))
        if useInit { request.initPath = RuntimeHelperLocation.monitorPath }
        if detach {
            request.terminal = tty
            return try startDetached(record: record, store: store, container: container, request: request)
        }
        throw PassthroughExit(try runForeground(record: record, store: store, container: container, request: request))
    }

    /// In the prepared container directory: the overlay of the image's layers, and config.json from `request`
    /// plus -v.
    @discardableResult
    func writeBundle(record: ImageRecord, store: ImageStore, container: ContainerDirectory, request: inout RunRequest) throws -> RuntimeSpec {
        let snapshots = try store.ensureSnapshots(record)
        try OverlayRootfs.mount(lowers: snapshots, upper: container.upper, work: container.work, target: container.rootfs)
        request.mounts += try bindMounts()
        var spec = try BundleBuilder.spec(for: request, files: container.files)
        // The cgroup is named in the bundle (`bosun/<name>`), not derived from the id by whoever reads it.
        spec.linux?.cgroupsPath = container.name
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(spec).write(to: URL(fileURLWithPath: container.bundle + "/config.json"), options: .atomic)
        return spec
    }

    func makeRequest(record: ImageRecord, store: ImageStore, hostname: String) throws -> RunRequest {
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try store.blobs.read(record.manifest.config.digest)))
        var request = RunRequest(imageConfig: config, hostname: hostname)
        request.command = command.isEmpty ? nil : command
        request.entrypoint = entrypoint.map { [$0] }
        request.environment = env
        request.user = user
        request.workingDirectory = workdir
        request.readOnlyRootfs = readOnly
        request.network = network == "host" ? .host : .none  // a bridge network is attached to the new namespace before start
        request.capabilitiesAdded = capAdd
        request.capabilitiesDropped = capDrop
        try applySecurityOptions(to: &request)
        var resources = JSONResources()
        if let memory {
            do { resources.memoryLimit = try ByteSize(parsing: memory).bytes } catch { throw CommandFailure(.usage, "--memory: \(error.message)") }
        }
        if let cpus {
            resources.cpuPeriod = 100_000
            resources.cpuQuota = Int64(cpus * 100_000)
        }
        resources.pidsLimit = pidsLimit
        if memory != nil || cpus != nil || pidsLimit != nil { request.resources = resources }
        return request
    }

    func bindMounts() throws -> [RuntimeSpec.Mount] {
        try volume.map { spec in
            let parts = spec.split(separator: ":").map(String.init)
            guard FileManager.default.fileExists(atPath: parts[0]) else { throw CommandFailure(.usage, "-v \(spec): \(parts[0]) does not exist") }
            var options = ["rbind", "rprivate"]
            if parts.count > 2 && parts[2] == "ro" { options.append("ro") }
            return RuntimeSpec.Mount(destination: parts[1], type: "bind", source: parts[0], options: options)
        }
    }
}
