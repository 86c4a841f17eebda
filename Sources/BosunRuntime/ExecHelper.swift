import BosunLinux
import BosunOCI
import CBosunSys
import Foundation
import Glibc

/// The helper's exec mode (`bosun __runtime-init 3 exec`): joins a running container's cgroup, then every
/// namespace its init has that differs from the helper's, then its root; clones the process (a member of the
/// container's pid namespace), which takes the process's user, capabilities, no_new_privs and seccomp the way
/// the init does (`ProcessSetup`) and execs. Runs single-threaded, like the rest of the helper.
struct ExecHelper {
    let config: ExecConfig
    let channel: InitChannel
    let system: any LinuxSystem = HostLinux()

    /// The order namespaces are joined in: the user namespace first (it grants the rights for the others), the
    /// mount namespace last (it changes what paths mean); pid and time take effect for the clone.
    static let namespaces: [(name: String, flag: UInt64)] = [
        ("user", BOSUN_CLONE_NEWUSER), ("ipc", BOSUN_CLONE_NEWIPC), ("uts", BOSUN_CLONE_NEWUTS), ("net", BOSUN_CLONE_NEWNET),
        ("pid", BOSUN_CLONE_NEWPID), ("cgroup", BOSUN_CLONE_NEWCGROUP), ("time", BOSUN_CLONE_NEWTIME), ("mnt", BOSUN_CLONE_NEWNS),
    ]

    var notRunning: RuntimeError {
        RuntimeError("exec in container `\(config.containerID)`", detail: "the container is not running (its init \(config.pid) is gone)")
    }

    /// Reads the exec config from the channel and runs; reports a failure on the channel and exits 1.
    static func main(channel: InitChannel) -> Never {
        do throws(RuntimeError) {
            guard let bytes = try Sys.receive(channel.fd, step: "read the exec config") else { _exit(1) }
            let config: ExecConfig
            do {
                config = try JSONDecoder().decode(ExecConfig.self, from: Data(bytes))
            } catch {
                throw RuntimeError("decode the exec config", detail: "\(error)")
            }
            try ExecHelper(config: config, channel: channel).run()
        } catch {
            channel.fail(error)
        }
        _exit(1)
    }

    func run() throws(RuntimeError) -> Never {
        // Until exec, nothing in the container may open this process's /proc/<pid>/exe (this binary), fd or mem.
        try Sys.check("make the exec helper non-dumpable") { bosun_set_dumpable(0) }
        let target = "/proc/\(config.pid)"
        guard isTheInit else { throw notRunning }
        var joins: [(path: String, fd: Int32, flag: UInt64)] = []
        for namespace in ExecHelper.namespaces {
            let path = "\(target)/ns/\(namespace.name)"
            // A link that cannot be read while the init lives is a namespace type this kernel does not have.
            guard let theirs = Sys.readlinkat(AT_FDCWD, path) else { continue }
            if theirs == Sys.readlinkat(AT_FDCWD, "/proc/self/ns/\(namespace.name)") { continue }
            joins.append((path, try Sys.open(path, flags: O_RDONLY | O_CLOEXEC, step: "open namespace `\(path)`"), namespace.flag))
        }
        let rootFD = try Sys.open("\(target)/root", flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, step: "open the root of `\(target)`")
        // Everything above was opened while this pid was the container's init: a reused pid has another start time.
        guard isTheInit else { throw notRunning }
        if let score = config.process.oomScoreAdj {
            try linux { () throws(SystemCallError) in
                try system.writeKernelFile("/proc/self/oom_score_adj", "\(score)", action: "write oom_score_adj \(score)")
            }
        }
        try CgroupJoin.join(config.cgroupProcs)
        for join in joins {
            try linux { () throws(SystemCallError) in try system.joinNamespace(fd: join.fd, type: join.flag, action: "setns into `\(join.path)`") }
            Sys.close(join.fd)
        }
        // Joining the mount namespace put us at its root; the init's own root is the same after pivot_root, and
        // the right one after the chroot fallback too.
        try linux { () throws(SystemCallError) in
            try system.changeDirectory(fd: rootFD, action: "chdir to the container's root")
            try system.changeRoot(".", action: "chroot to the container's root")
            try system.changeDirectory("/", action: "chdir to `/`")
        }
        Sys.close(rootFD)
        let peer = try config.process.terminal == true ? openTerminal() : -1
        var pidfd: Int32 = -1
        let pid: pid_t
        do throws(RuntimeError) {
            // With CLONE_PARENT the exit signal is the helper's own (SIGCHLD, to the caller); clone3 wants 0 here.
            pid = try Sys.check("clone the exec process") {
                config.attached ? bosun_clone3(BOSUN_CLONE_PARENT, &pidfd, 0) : bosun_clone3(0, &pidfd, SIGCHLD)
            }
        } catch {
            var failure = error
            if error.errno == ENOMEM { failure.hint = "the container's pid namespace has no init: the container is stopping" }
            throw failure
        }
        if pid == 0 {
            do throws(RuntimeError) {
                if peer >= 0 { try ExecHelper.attachTerminal(peer) }
                let setup = ProcessSetup(process: config.process, seccomp: config.seccomp, userOverride: config.userOverride)
                let executable = try setup.apply()
                setup.exec(executable, arguments: config.process.args ?? [], channel: channel)
            } catch {
                channel.fail(error)
            }
            _exit(1)
        }
        if peer >= 0 { Sys.close(peer) }
        try channel.send(InitMessage(kind: .pid, pid: pid))
        _exit(0)
    }

    var isTheInit: Bool {
        guard let info = ProcStat(pid: config.pid) else { return false }
        return info.startTime == config.startTime && info.state != "Z" && info.state != "X"
    }

    /// A pty of the container's devpts: the master goes to the caller (SCM_RIGHTS, payload `/dev/pts/N`), the
    /// peer is returned for the process.
    func openTerminal() throws(RuntimeError) -> Int32 {
        let root = try Sys.open("/", flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, step: "open the container's `/`")
        defer { Sys.close(root) }
        let master = try RootResolver(rootFD: root, rootPath: "", system: system).open("/dev/pts/ptmx", flags: O_RDWR | O_NOCTTY)
        defer { Sys.close(master) }
        try Sys.check("unlock the pty") { bosun_unlockpt(master) }
        let peer = try Sys.check("open the pty peer") { bosun_ioctl_get_pty_peer(master, O_RDWR | O_NOCTTY | O_CLOEXEC) }
        var number: UInt32 = 0
        try Sys.check("read the pty number") { bosun_ioctl_get_pty_number(master, &number) }
        if let size = config.process.consoleSize {
            _ = bosun_ioctl_set_winsize(peer, UInt16(clamping: size.height), UInt16(clamping: size.width))
        }
        let name = "/dev/pts/\(number)"
        try Sys.check("send the pty master to the caller") { bosun_send_fd(channel.fd, master, name, name.utf8.count) }
        return peer
    }

    /// In the process: a new session whose controlling terminal is the pty, which becomes stdin, stdout, stderr.
    static func attachTerminal(_ peer: Int32) throws(RuntimeError) {
        try Sys.check("create a session") { setsid() }
        try Sys.check("set the controlling terminal") { bosun_ioctl_set_ctty(peer) }
        for fd in Int32(0)...2 { try Sys.check("attach the terminal to fd \(fd)") { dup2(peer, fd) } }
        if peer > 2 { Sys.close(peer) }
    }
}
