import BosunLinux
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
    var system: any LinuxSystem = HostLinux()
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
                try linux { () throws(SystemCallError) in
                    try system.joinNamespace(fd: fd, type: flag, action: "join \(namespace.type) namespace `\(path)`")
                }
            } else if flag == BOSUN_CLONE_NEWPID {
                cloneFlags |= flag
            } else {
                unshareFlags |= flag
            }
        }
        if unshareFlags != 0 {
            try linux { () throws(SystemCallError) in try system.unshare(unshareFlags, action: "unshare namespaces") }
        }
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
        let rootfs = RootfsSetup(spec: spec, rootfs: config.rootfs, bundle: config.bundle, system: system)
        let resolver = try rootfs.mount()
        if let process, process.terminal == true { try setupTerminal(resolver: resolver, console: console, size: process.consoleSize) }

        try linux { () throws(SystemCallError) in
            if let hostname = spec.hostname { try system.setHostname(hostname) }
            if let domain = spec.domainname { try system.setDomainName(domain) }
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
            try linux { () throws(SystemCallError) in
                try system.writeKernelFile("/proc/self/oom_score_adj", "\(score)", action: "write oom_score_adj \(score)")
            }
        }
        let fifoFD = try Sys.open(config.fifoPath, flags: O_RDWR | O_CLOEXEC, step: "open exec fifo `\(config.fifoPath)`")

        try rootfs.pivot(rootFD: resolver.rootFD)
        system.close(resolver.rootFD)
        try rootfs.finish()

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
        try MountExecutor(resolver: resolver).call(source: RootResolver.procPath(peer), target: target, type: nil, flags: BOSUN_MS_BIND,
                                                   data: nil, action: "bind the pty on `\(resolver.display("/dev/console"))`")
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
