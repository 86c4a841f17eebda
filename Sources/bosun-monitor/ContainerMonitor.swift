import BosunLogFormat
import CBosunSys
import Glibc

/// The monitor of one container. Started by `bosun` with the runtime helper's socket (fd 3) and a control pipe
/// (fd 4), it forks once — the first process writes the second's pid file and exits, so the caller reaps it
/// and the monitor is orphaned away from the caller — then, in a session of its own and as a child subreaper,
/// creates the container's stdout/stderr pipes and spawns the helper on them. When the helper exits, the
/// container's init is reparented here, so the monitor waits for it and records its real status.
///
/// Signals: SIGCHLD is read from a signalfd. SIGTERM, SIGINT, SIGHUP and SIGPIPE are blocked and only noted
/// in `monitor.err`: the monitor lives exactly as long as its container (stop the container to end it), and
/// no signal can cut a log line or the exit record in half.
struct ContainerMonitor {
    let arguments: MonitorArguments
    var log: RotatingLog
    var streams: [StreamPipe]
    var controlFD: Int32 = MonitorArguments.controlDescriptor
    var control: [UInt8] = []
    let signalFD: Int32
    let helperPid: pid_t
    var helperGone = false
    var initPid: pid_t?
    var startedAt: LogTimestamp?
    /// Children reaped before the caller named the init.
    var early: [(pid: pid_t, status: Int32, at: LogTimestamp)] = []
    var initExit: (status: Int32, at: LogTimestamp)?
    /// After the init exits, how long to wait for the pipes' end of file (a container without its own pid
    /// namespace can leave writers behind).
    var drainDeadline: Int64 = 0
    let oomBaseline: Int64
    var buffer = [UInt8](repeating: 0, count: 65536)
    /// The listening console socket until the init hands the pty master over (then the master is a stream).
    var consoleFD: Int32 = -1

    /// One of the container's output pipes.
    struct StreamPipe {
        var fd: Int32
        let stream: LogStream
        var splitter = LogLineSplitter()
    }

    static func start(_ arguments: MonitorArguments) -> Never {
        // Keep the descriptors the caller passed: the socket, the control pipe, the cgroup directory (5) and,
        // attached, the container's stdio (6-8).
        let lastPassed = max(MonitorArguments.controlDescriptor, arguments.cgroupDescriptor ?? 0,
                             arguments.attached ? MonitorArguments.attachedDescriptors.last! : 0)
        _ = bosun_close_range(UInt32(lastPassed) + 1, UInt32.max, 0)
        // Every path is absolute by now (`MonitorArguments.anchored`): hold no directory of the caller's.
        _ = chdir("/")
        let child = fork()
        if child < 0 {
            Posix.report("fork the monitor: \(Posix.errorText(errno))")
            exit(1)
        }
        if child > 0 {
            // `PID STARTTIME BOOTID`: the boot id tells this boot's process from an earlier boot's with the same pair.
            let start = Posix.startTime(of: child).map { " \($0)" } ?? ""
            let boot = start.isEmpty ? "" : Posix.readSmallFile("/proc/sys/kernel/random/boot_id")
                .map { " " + String(decoding: $0, as: UTF8.self).filter { !$0.isWhitespace } } ?? ""
            guard Posix.writeAtomically(arguments.pidPath, Array("\(child)\(start)\(boot)\n".utf8)) else {
                Posix.report("write pid file `\(arguments.pidPath)`: \(Posix.errorText(errno))")
                kill(child, SIGKILL)
                exit(1)
            }
            exit(0)
        }
        _ = setsid()
        _ = bosun_set_child_subreaper(1)
        _ = bosun_set_name("bosun-monitor")
        var monitor = setUp(arguments)
        monitor.run()
    }

    static func setUp(_ arguments: MonitorArguments) -> ContainerMonitor {
        func fail(_ step: String) -> Never {
            Posix.report("\(step): \(Posix.errorText(errno))")
            exit(1)
        }
        let signalFD = Posix.signalDescriptor([SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE])
        if signalFD < 0 { fail("create a signalfd") }
        guard let log = RotatingLog(path: arguments.logPath, maxSize: arguments.maxSize, maxFile: arguments.maxFile) else {
            fail("open log `\(arguments.logPath)`")
        }
        // The console socket listens before the helper starts: the container's init connects to it while it is made.
        let console = arguments.consolePath.map { ConsoleSocket.listen($0) } ?? -1
        if arguments.consolePath != nil && console < 0 { fail("listen on console socket `\(arguments.consolePath!)`") }
        let stdio: [Int32]
        var streams: [StreamPipe] = []
        var parentEnds: [Int32] = []
        if arguments.attached {
            stdio = MonitorArguments.attachedDescriptors
        } else {
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            if null < 0 { fail("open /dev/null") }
            var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
            if pipe(&out) != 0 || pipe(&err) != 0 { fail("create the output pipes") }
            for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            stdio = [null, out[1], err[1]]
            streams = [StreamPipe(fd: out[0], stream: .stdout), StreamPipe(fd: err[0], stream: .stderr)]
            parentEnds = [out[0], err[0]]
        }
        let oomBaseline = Posix.oomKills(arguments.oomPath)
        let helper: pid_t
        switch Posix.spawn(arguments.helperPath, arguments: ["bosun", "__runtime-init", "3"],
                           fds: [(stdio[0], 0), (stdio[1], 1), (stdio[2], 2), (MonitorArguments.socketDescriptor, 3)],
                           intoCgroup: arguments.cgroupDescriptor) {
        case .success(let pid): helper = pid
        case .failure(let problem):
            errno = problem.code
            fail("start the runtime helper `\(arguments.helperPath)`")
        }
        for fd in stdio + [MonitorArguments.socketDescriptor] + (arguments.cgroupDescriptor.map { [$0] } ?? []) { close(fd) }
        for fd in parentEnds + [MonitorArguments.controlDescriptor] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        var monitor = ContainerMonitor(arguments: arguments, log: log, streams: streams, signalFD: signalFD, helperPid: helper,
                                       oomBaseline: oomBaseline)
        monitor.consoleFD = console
        return monitor
    }

    // MARK: the loop

    mutating func run() -> Never {
        while true {
            if initExit != nil && streams.allSatisfy({ $0.fd < 0 }) { finish() }
            var fds = streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            fds.append(pollfd(fd: controlFD, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: consoleFD, events: Int16(POLLIN), revents: 0))
            let timeout = initExit == nil ? -1 : Int32(clamping: max(0, drainDeadline - Posix.monotonicMilliseconds()))
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                Posix.report("poll: \(Posix.errorText(errno))")
                sleep(1)
                continue
            }
            if ready == 0 && initExit != nil { finish() }
            for index in streams.indices where fds[index].revents != 0 { readStream(index) }
            if fds[streams.count].revents != 0 { readControl() }
            if fds[streams.count + 1].revents != 0 { readSignals() }
            if fds[streams.count + 2].revents != 0 { acceptConsole() }
        }
    }

    mutating func readStream(_ index: Int) {
        let fd = streams[index].fd
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        let time = Posix.now()
        let stream = streams[index].stream
        var splitter = streams[index].splitter
        if count <= 0 {
            splitter.finish { log.write(LogLineEncoder.encode($0, stream: stream, time: time)) }
            close(fd)
            streams[index].fd = -1
        } else {
            splitter.feed(buffer[0..<count]) { log.write(LogLineEncoder.encode($0, stream: stream, time: time)) }
        }
        streams[index].splitter = splitter
    }

    /// The caller writes `pid N` once the container started; end of file without it means the start failed.
    mutating func readControl() {
        let count = buffer.withUnsafeMutableBytes { read(controlFD, $0.baseAddress, $0.count) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if count > 0 {
            control += buffer[0..<count]
            if initPid == nil, let newline = control.firstIndex(of: UInt8(ascii: "\n")) {
                let words = control[..<newline].split(separator: UInt8(ascii: " "))
                if words.count == 2, let pid = pid_t(String(decoding: words[1], as: UTF8.self)), pid > 0 {
                    initPid = pid
                    startedAt = Posix.now()
                    if let exited = early.first(where: { $0.pid == pid }) { initExited(exited.status, at: exited.at) }
                    // Start-up is over: from here the loop needs little code (see releaseStartupCode).
                    Posix.releaseStartupCode()
                }
            }
            return
        }
        close(controlFD)
        controlFD = -1
        if initPid == nil { abandon() }
    }

    mutating func readSignals() {
        var info = [UInt8](repeating: 0, count: 128)  // struct signalfd_siginfo; ssi_signo comes first
        while true {
            let count = info.withUnsafeMutableBytes { read(signalFD, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count == 128 else { return }
            let signal = Int32(info[0]) | Int32(info[1]) << 8
            if signal == SIGCHLD {
                reap()
            } else if signal != SIGPIPE {
                Posix.report("received signal \(signal): the monitor stays until the container exits (bosun stop ends it)")
            }
        }
    }

    mutating func reap() {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 && errno == EINTR { continue }
            guard pid > 0 else { return }
            if pid == helperPid {
                helperGone = true
            } else if pid == initPid {
                initExited(status, at: Posix.now())
            } else if initPid == nil {
                early.append((pid, status, Posix.now()))
            }
        }
    }

    mutating func initExited(_ status: Int32, at time: LogTimestamp) {
        guard initExit == nil else { return }
        initExit = (status, time)
        drainDeadline = Posix.monotonicMilliseconds() + 5000
    }

    /// The init is gone and the pipes are drained (or the drain timed out): flush, write the exit record, exit.
    mutating func finish() -> Never {
        let time = Posix.now()
        for index in streams.indices where streams[index].fd >= 0 {
            let stream = streams[index].stream
            var splitter = streams[index].splitter
            splitter.finish { log.write(LogLineEncoder.encode($0, stream: stream, time: time)) }
        }
        log.sync()
        guard let initExit else { exit(1) }
        let oomKilled = Posix.oomKills(arguments.oomPath) > oomBaseline
        let record = ExitRecordText(waitStatus: initExit.status, oomKilled: oomKilled, startedAt: startedAt, finishedAt: initExit.at)
        if !Posix.writeAtomically(arguments.exitPath, record.bytes) {
            Posix.report("write exit record `\(arguments.exitPath)`: \(Posix.errorText(errno))")
            exit(1)
        }
        if let bosun = arguments.autoremove, let name = arguments.name, let state = arguments.stateDirectory {
            // `--rm`: this process becomes `bosun rm -f` (the pid file goes first: it names a monitor no more).
            unlink(arguments.pidPath)
            Posix.exec(bosun, ["bosun", "rm", "-f", "--state-dir", state, name])
            Posix.report("remove the container: exec `\(bosun)`: \(Posix.errorText(errno))")
            exit(1)
        }
        exit(0)
    }

    /// The init connected to the console socket: its pty master becomes the container's stdout stream.
    mutating func acceptConsole() {
        let master = ConsoleSocket.receiveMaster(consoleFD)
        close(consoleFD)
        consoleFD = -1
        if let path = arguments.consolePath { unlink(path) }
        guard master >= 0 else {
            Posix.report("receive the container's terminal: \(Posix.errorText(errno))")
            return
        }
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        streams.append(StreamPipe(fd: master, stream: .stdout))
    }

    /// The caller closed the control pipe without naming the init: the start failed (or the caller died during
    /// it). Kill the helper and whatever it left (the init is reparented here), reap them, and exit.
    func abandon() -> Never {
        if !helperGone {
            kill(helperPid, SIGKILL)
            var status: Int32 = 0
            while waitpid(helperPid, &status, 0) < 0 && errno == EINTR {}
        }
        for child in Posix.children() { kill(child, SIGKILL) }
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, 0)
            if pid < 0 && errno == EINTR { continue }
            if pid < 0 { break }
        }
        exit(1)
    }
}
