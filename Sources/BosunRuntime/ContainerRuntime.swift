public import BosunOCI
import CBosunSys
public import Foundation
import Glibc

/// Options for `create` and `run`, as runc spells them.
public struct CreateOptions: Sendable, Hashable {
    /// Where to write the container's pid.
    public var pidFile: String?
    /// A unix socket that receives the pty master (SCM_RIGHTS) when `process.terminal` is true.
    public var consoleSocket: String?
    /// Without `consoleSocket`, a terminal container gets a console socket of the runtime's own (`run` relays
    /// the pty to its own stdio, as `runc run` does).
    var ownConsole = false
    public init(pidFile: String? = nil, consoleSocket: String? = nil) {
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
    }
}

/// A container as `list` shows it.
public struct ContainerSummary: Sendable {
    public var state: ContainerState
    public var created: Date
}

/// bosun's container runtime: OCI bundles in, isolated processes out, with state under `root`.
///
/// Every call blocks (it waits for the helper and the container's init): call it off the cooperative
/// thread pool. The caller is never forked; namespace work happens in a re-exec of `helperExecutable`
/// that must dispatch `RuntimeHelper.modeArgument` to `RuntimeHelper.main` before anything else runs.
public struct ContainerRuntime: Sendable {
    public var root: String
    public var helperExecutable: String
    public var seccompCompiler: (any SeccompCompiler)?
    /// Receives warnings, such as cgroup limits this host cannot apply (the CLI prints them to stderr).
    public var warn: @Sendable (String) -> Void

    /// Where the cgroup hierarchies are mounted; containers' cgroups are made under it.
    public var cgroupRoot = ContainerRuntime.defaultCgroupRoot

    public static let defaultRoot = "/run/bosun/runtime"
    public static let defaultCgroupRoot = "/sys/fs/cgroup"

    public init(
        root: String = ContainerRuntime.defaultRoot, helperExecutable: String = "/proc/self/exe",
        seccompCompiler: (any SeccompCompiler)? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.root = root
        self.helperExecutable = helperExecutable
        self.seccompCompiler = seccompCompiler
        self.warn = warn
    }

    var store: ContainerStore { ContainerStore(root: root) }

    // MARK: create

    /// Creates the container: namespaces, rootfs and process set up, blocked before exec until `start`.
    @discardableResult
    public func create(id: String, bundle: String, options: CreateOptions = CreateOptions()) throws(RuntimeError) -> ContainerState {
        let launched = try launch(id: id, bundle: bundle, options: options)
        Sys.close(launched.channel)
        return try state(id: id)
    }

    // MARK: lifecycle

    /// Lets a created container exec its process.
    public func start(id: String) throws(RuntimeError) {
        try start(try store.load(id))
    }

    /// Starts the container `record` describes (`run` starts from the record it just saved).
    func start(_ record: ContainerRecord) throws(RuntimeError) {
        let id = record.id
        let status = store.status(of: record)
        guard status == "created" else {
            throw RuntimeError("start container `\(id)`", detail: "the container is \(status), not created")
        }
        let fd = Glibc.open(store.fifo(id), O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw RuntimeError("start container `\(id)`", errno: code, detail: code == ENXIO ? "the container init is gone" : nil)
        }
        defer { Sys.close(fd) }
        try Sys.write(fd, [0x30], step: "start container `\(id)`")
        unlink(store.fifo(id))
        if record.hasProcess == false {
            // The init exits on the FIFO's byte: the container stops, as it must not stay `created`.
            throw RuntimeError("start container `\(id)`", detail: "config.json has no `process`", hint: "add `process` to config.json and create the container again")
        }
        HookRunner.runWarning(record.hooks?.poststart, phase: "poststart", state: ContainerRuntime.state(record, status: "running"), warn: warn)
    }

    /// The container's OCI state.
    public func state(id: String) throws(RuntimeError) -> ContainerState {
        let record = try store.load(id)
        return ContainerRuntime.state(record, status: store.status(of: record))
    }

    static func state(_ record: ContainerRecord, status: String) -> ContainerState {
        ContainerState(id: record.id, status: status, pid: status == "stopped" ? 0 : record.pid, bundle: record.bundle,
                       annotations: record.annotations)
    }

    /// Every container under the root, by id, with when it was created.
    public func list() -> [ContainerSummary] {
        store.ids().compactMap { id in
            guard let record = try? store.load(id) else { return nil }
            return ContainerSummary(state: ContainerRuntime.state(record, status: store.status(of: record)), created: record.created)
        }
    }

    /// Sends `signal` to the container's init through a pidfd (checked against the recorded start time).
    public func kill(id: String, signal: Int32) throws(RuntimeError) {
        let record = try store.load(id)
        guard store.status(of: record) != "stopped" else {
            throw RuntimeError("signal container `\(id)`", detail: "the container is not running")
        }
        let pidfd = try Sys.check("open a pidfd for container `\(id)` (pid \(record.pid))") { bosun_pidfd_open(record.pid) }
        defer { Sys.close(pidfd) }
        guard ProcStat(pid: record.pid)?.startTime == record.startTime else {
            throw RuntimeError("signal container `\(id)`", detail: "the container is not running")
        }
        try Sys.check("send signal \(signal) to container `\(id)`") { bosun_pidfd_send_signal(pidfd, signal) }
    }

    /// Removes a stopped (or created) container; `force` kills a running one first. Runs poststop hooks.
    /// `force` also clears what a create killed before it wrote state.json left (`removeIncomplete`), as
    /// `runc delete --force` does.
    public func delete(id: String, force: Bool = false) throws(RuntimeError) {
        let record: ContainerRecord
        do {
            record = try store.load(id)
        } catch {
            if force && removeIncomplete(id: id, bundle: nil) { return }
            // As runc: `delete --force` of a container that does not exist succeeds (containerd and podman
            // clean up with it); without --force it is an error. A valid id with no state left is "does not exist".
            if force, (try? ContainerStore.validate(id: id)) != nil, !FileManager.default.fileExists(atPath: store.stateFile(id)) { return }
            throw error
        }
        let status = store.status(of: record)
        if status == "running" && !force {
            throw RuntimeError("delete container `\(id)`", detail: "the container is running", hint: "kill it first or use --force")
        }
        if status != "stopped" {
            try? kill(id: id, signal: SIGKILL)
            ContainerRuntime.waitForExit(pid: record.pid, startTime: record.startTime)
        }
        var failure: RuntimeError?
        if let path = record.cgroupPath, let cgroup = ContainerCgroup.open(recordedPath: path, root: record.cgroupRoot ?? cgroupRoot) {
            do {
                try cgroup.remove()
            } catch {
                failure = error
            }
        }
        HookRunner.runWarning(record.hooks?.poststop, phase: "poststop", state: ContainerRuntime.state(record, status: "stopped"), warn: warn)
        store.remove(id)
        if let failure { throw failure }
    }

    /// Waits (up to 10 s) until the process is gone or a zombie; reaps it when it is our child.
    static func waitForExit(pid: Int32, startTime: UInt64) {
        var pause: UInt32 = 500
        for _ in 0..<1100 {
            _ = waitpid(pid, nil, WNOHANG)
            guard let info = ProcStat(pid: pid), info.startTime == startTime, info.state != "Z" else { return }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
    }

    /// Host pids of the processes in the container's pid namespace.
    public func processes(id: String) throws(RuntimeError) -> [Int32] {
        let record = try store.load(id)
        guard store.status(of: record) != "stopped", let namespace = Sys.readlinkat(AT_FDCWD, "/proc/\(record.pid)/ns/pid") else {
            throw RuntimeError("list processes of container `\(id)`", detail: "the container is not running")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { Sys.readlinkat(AT_FDCWD, "/proc/\($0)/ns/pid") == namespace }.sorted()
    }

    /// create + start + wait + delete; returns the container's exit code (128 + signal when killed).
    /// `beforeStart` runs with the container's pid once it is created and waiting (e.g. to attach its network
    /// namespace to a bridge); a failure there deletes the container.
    public func run(id: String, bundle: String, options: CreateOptions = CreateOptions(),
                    beforeStart: ((Int32) throws -> Void)? = nil) throws(RuntimeError) -> Int32 {
        // The init is reparented to us when the helper exits, so that we can wait for it.
        try Sys.check("become a child subreaper") { bosun_set_child_subreaper(1) }
        var options = options
        options.ownConsole = options.consoleSocket == nil
        let launched = try launch(id: id, bundle: bundle, options: options)
        var master: Int32 = -1
        defer { if master >= 0 { Sys.close(master) } }
        do throws(RuntimeError) {
            if let console = launched.console { master = try console.receiveMaster() }
            if let beforeStart {
                do { try beforeStart(launched.pid) } catch {
                    throw RuntimeError("prepare container `\(id)` before start", detail: "\(error)")
                }
            }
            try start(launched.record)
        } catch {
            Sys.close(launched.channel)
            try? delete(id: id, force: true)
            throw error
        }
        // End of file: the init exec'd (the socket was close-on-exec); a message: exec failed.
        let execFailure = (try? InitChannel(fd: launched.channel).receive())??.error
        Sys.close(launched.channel)
        if master >= 0 {
            // The pty relayed to this process's terminal (raw while it lasts) until the container's init exits.
            let exited = bosun_pidfd_open(launched.pid)
            if exited >= 0 {
                TerminalRelay.relay(master: master, until: exited)
                Sys.close(exited)
            }
        }
        let status = Sys.waitpid(launched.pid)
        try? delete(id: id, force: true)
        if let execFailure { throw execFailure }
        guard let status else { return 255 }
        return WaitStatus.shellCode(status)
    }

    // MARK: bundles

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func loadBundle(_ path: String) throws(RuntimeError) -> (String, RuntimeSpec) {
        let (bundle, spec, _) = try loadBundleBytes(path)
        return (bundle, spec)
    }

    /// The bundle's absolute path, its spec and config.json's bytes.
    static func loadBundleBytes(_ path: String) throws(RuntimeError) -> (String, RuntimeSpec, [UInt8]) {
        var bundle = absolute(path)
        if let resolved = realpath(bundle, nil) {
            bundle = String(cString: resolved)
            free(resolved)
        }
        let configPath = bundle + "/config.json"
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw RuntimeError("read `\(configPath)`", errno: access(configPath, F_OK) == 0 ? EACCES : ENOENT)
        }
        do {
            return (bundle, try JSONDecoder().decode(RuntimeSpec.self, from: data), Array(data))
        } catch {
            throw RuntimeError("parse `\(configPath)`", detail: "\(error)")
        }
    }

    static func rootfs(of spec: RuntimeSpec, bundle: String) throws(RuntimeError) -> String {
        guard let path = spec.root?.path, !path.isEmpty else {
            throw RuntimeError("read `root.path` in `\(bundle)/config.json`", detail: "no root filesystem")
        }
        let rootfs = path.hasPrefix("/") ? path : bundle + "/" + path
        var info = stat()
        guard stat(rootfs, &info) == 0 else {
            throw RuntimeError("rootfs `\(rootfs)`", errno: errno, hint: "`root.path` in config.json names it")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw RuntimeError("rootfs `\(rootfs)`", errno: ENOTDIR) }
        return rootfs
    }
}
