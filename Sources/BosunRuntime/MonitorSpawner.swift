import CBosunSys
import Glibc

/// Starts the runtime helper through a container monitor. The monitor gets the helper's socket (fd 3) and the
/// read end of a control socket (fd 4); its first process exits at once (reaped here) after writing the
/// monitor's pid file. `commit(pid:)` tells the monitor the container's init once it started; `abandon()`
/// closes the control socket without it, and the monitor kills what the helper left and exits.
final class MonitorSpawner: HelperSpawner {
    let configuration: MonitorConfiguration
    private(set) var control: Int32 = -1
    private(set) var monitorPid: Int32 = 0

    init(configuration: MonitorConfiguration) {
        self.configuration = configuration
    }

    deinit { abandon() }

    func spawn(helper: String, socket: Int32, cgroup: ContainerCgroup?) throws(RuntimeError) -> pid_t? {
        let step = "start the container monitor `\(configuration.executable)`"
        guard access(configuration.executable, X_OK) == 0 else {
            throw RuntimeError(step, errno: errno, hint: "install bosun-monitor next to bosun (swift build builds it)")
        }
        // The monitor execs the helper itself: /proc/self/exe would name the monitor there.
        let helperPath = helper == "/proc/self/exe" ? (Sys.readlinkat(AT_FDCWD, helper) ?? helper) : helper
        var pair: [Int32] = [0, 0]
        try Sys.check("create the monitor's control socket") {
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
        }
        defer { Sys.close(pair[1]) }
        control = pair[0]
        let null = try Sys.open("/dev/null", flags: O_RDWR | O_CLOEXEC, step: "open /dev/null")
        defer { Sys.close(null) }
        let errors = try Sys.open(configuration.errorPath, flags: O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode: 0o640,
                                  step: "create `\(configuration.errorPath)`")
        defer { Sys.close(errors) }
        var arguments = ["bosun-monitor", "--log", configuration.logPath, "--exit-file", configuration.exitPath,
                         "--pid-file", configuration.pidPath, "--helper", helperPath,
                         "--max-size", "\(configuration.maxLogSize)", "--max-file", "\(configuration.maxLogFiles)"]
        if let oom = cgroup?.oomCounterFile { arguments += ["--oom-file", oom] }
        var fds: [(Int32, Int32)] = [(null, 0), (null, 1), (errors, 2), (socket, 3), (pair[1], 4)]
        if let stdio = configuration.attachedStdio, stdio.count == 3 {
            arguments += ["--stdio", "attached"]
            fds += [(stdio[0], 6), (stdio[1], 7), (stdio[2], 8)]
        }
        if let console = configuration.consolePath { arguments += ["--console", console] }
        if let remove = configuration.autoremove {
            arguments += ["--autoremove", remove.bosun, "--name", remove.name, "--state-dir", remove.stateDirectory]
        }
        // On cgroup v2 the monitor clones the helper straight into the container's cgroup.
        let cgroupFD = cgroup?.openForSpawn()
        defer { if let cgroupFD { Sys.close(cgroupFD) } }
        if let cgroupFD {
            fds.append((cgroupFD, 5))
            arguments += ["--cgroup-fd", "5"]
        }
        let first = try Spawn.start(configuration.executable, arguments: arguments, environment: [], fds: fds, step: step)
        let status = Sys.waitpid(first)
        guard status == 0, let text = Sys.readFile(configuration.pidPath),
              let pid = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap({ Int32($0) })
        else {
            let reason = Sys.readFile(configuration.errorPath)?.split(separator: "\n").last.map(String.init)
            throw RuntimeError(step, detail: reason ?? "it exited with status \(status.map(WaitStatus.shellCode) ?? -1)")
        }
        monitorPid = pid
        return nil
    }

    /// Tells the monitor the container's init (it then records that process's exit) and lets it run on alone.
    func commit(pid: Int32) {
        guard control >= 0 else { return }
        try? Sys.send(control, Array("pid \(pid)\n".utf8), step: "tell the monitor the container's pid")
        Sys.close(control)
        control = -1
    }

    /// The start failed: the monitor kills what is left and exits without an exit record.
    func abandon() {
        guard control >= 0 else { return }
        Sys.close(control)
        control = -1
    }
}
