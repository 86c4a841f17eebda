import BosunOCI
import CBosunSys
import Foundation
import Glibc

/// The single-threaded helper (`bosun __runtime-init <fd>`): reads the config, enters the namespaces, clones
/// the container's init into a new pid namespace, reports its pid and exits. The init sets up the rootfs and
/// the process, reports `ready`, blocks on the exec FIFO until `start`, and execs.
public enum RuntimeHelper {
    /// argv[1] that selects helper mode.
    public static let modeArgument = "__runtime-init"
    /// argv[3] that selects exec mode (`bosun __runtime-init 3 exec`): run a process in a running container.
    static let execArgument = "exec"

    /// The helper's entry point; call it before anything starts threads (no Dispatch, no async).
    public static func main(arguments: [String]) -> Never {
        guard arguments.count >= 3, let fd = Int32(arguments[2]) else {
            _ = Array("bosun: \(modeArgument) is internal to the runtime\n".utf8).withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            _exit(2)
        }
        // Only stdio and the channel go on: descriptors the caller's ancestors leaked (a test runner's exit
        // watcher, say) must not live as long as the container.
        _ = bosun_close_range(UInt32(fd) + 1, UInt32.max, 0)
        let channel = InitChannel(fd: fd)
        if arguments.count > 3 && arguments[3] == execArgument { ExecHelper.main(channel: channel) }
        do throws(RuntimeError) {
            guard let config = try InitConfig.receive(fd) else { _exit(1) }
            try ContainerInit(config: config, channel: channel).runHelper()
        } catch {
            channel.fail(error)
        }
        _exit(1)
    }
}

struct ContainerInit {
    let config: InitConfig
    let channel: InitChannel
    var spec: RuntimeSpec { config.spec }

    static let namespaceFlags: [String: UInt64] = [
        "pid": BOSUN_CLONE_NEWPID, "network": BOSUN_CLONE_NEWNET, "mount": BOSUN_CLONE_NEWNS, "ipc": BOSUN_CLONE_NEWIPC,
        "uts": BOSUN_CLONE_NEWUTS, "user": BOSUN_CLONE_NEWUSER, "cgroup": BOSUN_CLONE_NEWCGROUP, "time": BOSUN_CLONE_NEWTIME,
    ]

    // MARK: helper

    func runHelper() throws(RuntimeError) -> Never {
        // Join the container's cgroup first: before a namespace path changes what /sys/fs/cgroup is, and before
        // unsharing the cgroup namespace so that its root is the container's cgroup.
        try CgroupJoin.join(config.cgroupProcs)
        var unshareFlags: UInt64 = 0
        var cloneFlags: UInt64 = 0
        for namespace in spec.linux?.namespaces ?? [] {
            guard let flag = ContainerInit.namespaceFlags[namespace.type] else {
                throw RuntimeError("namespace `\(namespace.type)`", detail: "unknown namespace type")
            }
            if flag == BOSUN_CLONE_NEWUSER {
                throw RuntimeError("namespace `user`", detail: "user namespaces are not supported by bosun's runtime yet")
            }
            if let path = namespace.path, !path.isEmpty {
                let fd = try Sys.open(path, flags: O_RDONLY | O_CLOEXEC, step: "open \(namespace.type) namespace `\(path)`")
                defer { Sys.close(fd) }
                try Sys.setns(fd, flag, step: "join \(namespace.type) namespace `\(path)`")
            } else if flag == BOSUN_CLONE_NEWPID {
                cloneFlags |= flag
            } else {
                unshareFlags |= flag
            }
        }
        if unshareFlags != 0 { try Sys.unshare(unshareFlags, step: "unshare namespaces") }
        var consoleFD: Int32 = -1
        if spec.process?.terminal == true, let path = config.consoleSocket {
            consoleFD = try UnixSocket.connect(path)
        }
        var pidfd: Int32 = -1
        let pid = try Sys.check("clone the container init") { bosun_clone3(cloneFlags | BOSUN_CLONE_PIDFD, &pidfd, SIGCHLD) }
        if pid == 0 {
            do throws(RuntimeError) {
                try runInit(console: consoleFD)
            } catch {
                channel.fail(error)
            }
            _exit(1)
        }
        try channel.send(InitMessage(kind: .pid, pid: pid))
        _exit(0)
    }

    // MARK: init (PID 1 of the container)

    func runInit(console: Int32) throws(RuntimeError) -> Never {
        let hostPid = Sys.readlinkat(AT_FDCWD, "/proc/self").flatMap { Int32($0) } ?? getpid()
        umask(0)
        // Without `process` the container is created all the same (the spec makes it REQUIRED only for
        // `start`): the init waits on the FIFO and exits when started, and `start` reports the error.
        let process = spec.process
        let arguments = process?.args ?? []
        if process != nil && arguments.isEmpty {
            throw RuntimeError("read `process.args` in config.json", detail: "no program to run")
        }
        let requested = spec.linux?.rootfsPropagation ?? ""
        var initial = BOSUN_MS_SLAVE | BOSUN_MS_REC
        if !requested.isEmpty {
            guard let flags = MountOptions.propagationTable[requested] else {
                throw RuntimeError("rootfs propagation `\(requested)`", detail: "unknown propagation")
            }
            // Shared and unbindable are applied to the new root at the end: a shared `/` would propagate the
            // container's mounts to the host, and an unbindable one refuses the rootfs bind below (EINVAL).
            if flags & (BOSUN_MS_SHARED | BOSUN_MS_UNBINDABLE) == 0 { initial = flags }
        }
        try Sys.mount(source: nil, target: "/", type: nil, flags: initial, data: nil, step: "set the propagation of `/`")
        try Sys.mount(source: config.rootfs, target: config.rootfs, type: nil, flags: BOSUN_MS_BIND | BOSUN_MS_REC, data: nil,
                      step: "bind mount rootfs `\(config.rootfs)` on itself")
        let rootFD = try Sys.open(config.rootfs, flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, step: "open rootfs `\(config.rootfs)`")
        let resolver = RootResolver(rootFD: rootFD, rootPath: config.rootfs)
        let executor = MountExecutor(resolver: resolver)
        let mounts = try Mount.plan(spec.mounts ?? [], bundle: config.bundle, mountLabel: spec.linux?.mountLabel)
        for mount in mounts { try executor.perform(mount) }

        let devIsTmpfs = mounts.contains { RootResolver.normalize($0.destination) == "/dev" && $0.typeName != "bind" }
        let maker = DeviceMaker(resolver: resolver)
        var devices = devIsTmpfs ? DefaultSpec.devices : []
        for device in spec.linux?.devices ?? [] {
            devices.removeAll { $0.path == device.path }
            devices.append(device)
        }
        for device in devices { try maker.create(device) }
        if devIsTmpfs { try maker.createSymlinks() }
        if let process, process.terminal == true { try setupTerminal(resolver: resolver, console: console, size: process.consoleSize) }

        if let hostname = spec.hostname {
            try Sys.check("set hostname `\(hostname)`") { sethostname(hostname, hostname.utf8.count) }
        }
        if let domain = spec.domainname {
            try Sys.check("set domainname `\(domain)`") { setdomainname(domain, domain.utf8.count) }
        }
        if config.pauseForRuntimeHooks {
            try channel.send(InitMessage(kind: .hooks, pid: hostPid))
            guard let reply = try channel.receive(), reply.kind == .resume else {
                throw RuntimeError("wait for the runtime hooks", detail: "the caller went away")
            }
        }
        let state = ContainerState(id: config.id, status: "created", pid: hostPid, bundle: config.bundle, annotations: spec.annotations)
        try HookRunner.run(spec.hooks?.createContainer, phase: "createContainer", state: state)
        if let score = process?.oomScoreAdj {
            try Sys.writeFile("/proc/self/oom_score_adj", "\(score)", step: "write oom_score_adj \(score)")
        }
        let fifoFD = try Sys.open(config.fifoPath, flags: O_RDWR | O_CLOEXEC, step: "open exec fifo `\(config.fifoPath)`")

        try pivotRoot(rootFD: rootFD)
        Sys.close(rootFD)
        try finishRootfs(requestedPropagation: requested)

        let setup = process.map { ProcessSetup(process: $0, seccomp: config.seccomp) }
        let executable = try setup?.apply()

        try channel.send(InitMessage(kind: .ready, pid: hostPid))
        var byte: UInt8 = 0
        let count = try Sys.check("wait on the exec fifo") { Glibc.read(fifoFD, &byte, 1) }
        guard count == 1 else { throw RuntimeError("wait on the exec fifo", detail: "closed before start") }
        Sys.close(fifoFD)
        guard let setup, let executable else { _exit(1) }  // no process: `start` reports it
        try HookRunner.run(spec.hooks?.startContainer, phase: "startContainer",
                           state: ContainerState(id: config.id, status: "running", pid: hostPid, bundle: config.bundle, annotations: spec.annotations))
        setup.exec(executable, arguments: arguments, channel: channel)
    }

    /// pivot_root into the rootfs and detach the old root; where the root cannot be pivoted (ramfs or an
    /// initramfs), move the rootfs over `/` and chroot instead.
    func pivotRoot(rootFD: Int32) throws(RuntimeError) {
        try Sys.check("chdir to rootfs `\(config.rootfs)`") { fchdir(rootFD) }
        if bosun_pivot_root(".", ".") == 0 {
            try Sys.mount(source: nil, target: ".", type: nil, flags: BOSUN_MS_SLAVE | BOSUN_MS_REC, data: nil,
                          step: "make the old root a slave")
            try Sys.umount(".", flags: Int32(BOSUN_MNT_DETACH), step: "detach the old root")
        } else {
            let code = Glibc.errno
            guard code == EINVAL else { throw RuntimeError("pivot_root to `\(config.rootfs)`", errno: code) }
            try Sys.mount(source: ".", target: "/", type: nil, flags: BOSUN_MS_MOVE, data: nil, step: "move rootfs `\(config.rootfs)` to `/`")
            try Sys.check("chroot to `\(config.rootfs)`") { chroot(".") }
        }
        try Sys.check("chdir to `/`") { chdir("/") }
    }

    /// After pivot_root: sysctls, read-only and masked paths, a read-only root, shared propagation.
    func finishRootfs(requestedPropagation: String) throws(RuntimeError) {
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            try Sys.writeFile(path, value, step: "set sysctl `\(key)`")
        }
        let resolver = RootResolver(rootFD: try Sys.open("/", flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, step: "open `/`"), rootPath: "")
        defer { Sys.close(resolver.rootFD) }
        let executor = MountExecutor(resolver: resolver)
        for path in spec.linux?.readonlyPaths ?? [] {
            guard let fd = try? resolver.open(path) else { continue }
            defer { Sys.close(fd) }
            try Sys.mount(source: RootResolver.procPath(fd), target: RootResolver.procPath(fd), type: nil, flags: BOSUN_MS_BIND | BOSUN_MS_REC,
                          data: nil, step: "bind `\(path)` read-only")
            try executor.remount(path, flags: BOSUN_MS_BIND | BOSUN_MS_RDONLY | ContainerInit.lockedFlags(path), what: "read-only path")
        }
        for path in spec.linux?.maskedPaths ?? [] {
            guard let fd = try? resolver.open(path) else { continue }
            defer { Sys.close(fd) }
            let info = try Sys.fstat(fd, step: "stat masked path `\(path)`")
            if info.st_mode & S_IFMT == S_IFDIR {
                try Sys.mount(source: "tmpfs", target: RootResolver.procPath(fd), type: "tmpfs", flags: BOSUN_MS_RDONLY, data: nil,
                              step: "mask `\(path)` with an empty tmpfs")
            } else {
                try Sys.mount(source: "/dev/null", target: RootResolver.procPath(fd), type: nil, flags: BOSUN_MS_BIND, data: nil,
                              step: "mask `\(path)` with /dev/null")
            }
        }
        if spec.root?.readonly == true {
            try Sys.mount(source: nil, target: "/", type: nil, flags: BOSUN_MS_REMOUNT | BOSUN_MS_BIND | BOSUN_MS_RDONLY | ContainerInit.lockedFlags("/"),
                          data: nil, step: "remount `/` read-only")
        }
        if let flags = MountOptions.propagationTable[requestedPropagation], flags & (BOSUN_MS_SHARED | BOSUN_MS_UNBINDABLE) != 0 {
            try Sys.mount(source: nil, target: "/", type: nil, flags: flags, data: nil, step: "make `/` \(requestedPropagation)")
        }
    }

    /// nosuid/nodev/noexec of the mount at `path`, kept on a remount.
    static func lockedFlags(_ path: String) -> UInt {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return 0 }
        var flags: UInt = 0
        if info.f_flag & UInt(2) != 0 { flags |= BOSUN_MS_NOSUID }
        if info.f_flag & UInt(4) != 0 { flags |= BOSUN_MS_NODEV }
        if info.f_flag & UInt(8) != 0 { flags |= BOSUN_MS_NOEXEC }
        return flags
    }

    /// A pty from the container's devpts: the peer becomes the controlling terminal, stdio and /dev/console;
    /// the master goes to the console socket (SCM_RIGHTS), as runc does.
    func setupTerminal(resolver: RootResolver, console: Int32, size: RuntimeSpec.ConsoleSize?) throws(RuntimeError) {
        guard console >= 0 else { throw RuntimeError("allocate a terminal", detail: "no console socket") }
        let master = try resolver.open("/dev/pts/ptmx", flags: O_RDWR | O_NOCTTY)
        try Sys.check("unlock the pty") { bosun_unlockpt(master) }
        let peer = try Sys.check("open the pty peer") { bosun_ioctl_get_pty_peer(master, O_RDWR | O_NOCTTY) }
        var number: UInt32 = 0
        try Sys.check("read the pty number") { bosun_ioctl_get_pty_number(master, &number) }
        let target = try resolver.ensure("/dev/console", directory: false)
        try Sys.mount(source: RootResolver.procPath(peer), target: RootResolver.procPath(target), type: nil, flags: BOSUN_MS_BIND, data: nil,
                      step: "bind the pty on `\(resolver.display("/dev/console"))`")
        Sys.close(target)
        if let size { _ = bosun_ioctl_set_winsize(peer, UInt16(clamping: size.height), UInt16(clamping: size.width)) }
        try Sys.check("create a session") { setsid() }
        try Sys.check("set the controlling terminal") { bosun_ioctl_set_ctty(peer) }
        for fd in Int32(0)...2 { try Sys.check("attach the terminal to fd \(fd)") { dup2(peer, fd) } }
        if peer > 2 { Sys.close(peer) }
        let name = "/dev/pts/\(number)"
        try Sys.check("send the pty master to the console socket") { bosun_send_fd(console, master, name, name.utf8.count) }
        Sys.close(master)
        Sys.close(console)
    }
}
