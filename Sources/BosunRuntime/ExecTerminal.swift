import CBosunSys
import Glibc

/// `bosun exec -t`: the local terminal in raw mode, bytes copied both ways between it and the process's pty,
/// window size changes (SIGWINCH) forwarded, the terminal restored at the end.
extension ExecProcess {
    /// Relays until the process exits (then drains what it wrote); call `wait()` afterwards. `input` -1 sends
    /// nothing (`exec -t` without `-i`); the window size comes from whichever of `input` and `output` is a tty.
    public func relayTerminal(input: Int32 = 0, output: Int32 = 1) {
        guard let master = terminal, exitDescriptor >= 0 else { return }
        TerminalRelay.relay(master: master, until: exitDescriptor, input: input, output: output)
    }
}

/// A pty relayed to the local terminal: raw mode while it lasts, bytes both ways, window size followed.
public enum TerminalRelay {
    /// Copies between `input`/`output` and `master` until `exitDescriptor` (a pidfd; -1: until the pty closes)
    /// is readable, then drains the master. `input` -1 sends nothing.
    public static func relay(master: Int32, until exitDescriptor: Int32, input: Int32 = 0, output: Int32 = 1) {
        var saved = termios()
        let isTerminal = input >= 0 && isatty(input) == 1 && tcgetattr(input, &saved) == 0
        let sizeSource = isTerminal ? input : output
        if isTerminal {
            var raw = saved
            cfmakeraw(&raw)
            _ = tcsetattr(input, TCSANOW, &raw)
        }
        defer { if isTerminal { _ = tcsetattr(input, TCSANOW, &saved) } }
        let resize = WindowChanges()
        defer { resize.stop() }
        ExecProcess.copyWindowSize(from: sizeSource, to: master)
        var inputOpen = input >= 0
        var masterOpen = true
        var buffer = [UInt8](repeating: 0, count: 32768)
        func pump(_ from: Int32, _ to: Int32) -> Bool {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(from, $0.baseAddress, $0.count) }
            if count < 0 && (Glibc.errno == EINTR || Glibc.errno == EAGAIN) { return true }
            guard count > 0 else { return false }
            return (try? Sys.write(to, Array(buffer[0..<count]), step: "copy terminal bytes")) != nil
        }
        while true {
            var descriptors = [pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: masterOpen ? master : -1, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: resize.readEnd, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: inputOpen ? input : -1, events: Int16(POLLIN), revents: 0)]
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if Glibc.errno == EINTR { continue }
                break
            }
            if descriptors[2].revents != 0 {
                resize.drain()
                ExecProcess.copyWindowSize(from: sizeSource, to: master)
            }
            if descriptors[3].revents != 0 { inputOpen = pump(input, master) }
            if descriptors[1].revents != 0 { masterOpen = pump(master, output) }
            if descriptors[0].revents != 0 { break }
            // Without an exit descriptor (the process ended before one could be opened), the pty's end is the end.
            if exitDescriptor < 0 && !masterOpen { break }
        }
        if masterOpen {
            _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
                guard count > 0, (try? Sys.write(output, Array(buffer[0..<count]), step: "copy terminal bytes")) != nil else { break }
            }
        }
    }
}

extension ExecProcess {
    static func copyWindowSize(from input: Int32, to master: Int32) {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        if bosun_ioctl_get_winsize(input, &rows, &columns) == 0 { _ = bosun_ioctl_set_winsize(master, rows, columns) }
    }
}

/// SIGWINCH as a readable pipe (the self-pipe trick): the handler only writes a byte, from any thread.
final class WindowChanges {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    let readEnd: Int32
    private var previous = sigaction()

    init() {
        var ends: [Int32] = [-1, -1]
        guard bosun_pipe2(&ends, O_CLOEXEC | O_NONBLOCK) == 0 else {
            readEnd = -1
            return
        }
        readEnd = ends[0]
        WindowChanges.writeEnd = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = Glibc.write(WindowChanges.writeEnd, &byte, 1)
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(SIGWINCH, &action, &previous)
    }

    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ Glibc.read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }

    func stop() {
        guard readEnd >= 0 else { return }
        sigaction(SIGWINCH, &previous, nil)
        Sys.close(readEnd)
        Sys.close(WindowChanges.writeEnd)
        WindowChanges.writeEnd = -1
    }
}

extension ExecProcess {
    /// Hands the pty master to a `--console-socket` listener (SCM_RIGHTS, payload `/dev/pts/N`), as `create` does.
    public func sendTerminal(toConsoleSocket path: String) throws(RuntimeError) {
        guard let terminal else { throw RuntimeError("send the pty master to `\(path)`", detail: "the process has no terminal") }
        let socket = try UnixSocket.connect(path)
        defer { Sys.close(socket) }
        let name = terminalName ?? ""
        try Sys.check("send the pty master to console socket `\(path)`") { bosun_send_fd(socket, terminal, name, name.utf8.count) }
    }
}
