import CBosunSys
import Glibc

/// A process started in a container by `ContainerRuntime.startExec`. Unless detached it is the caller's child:
/// call `wait()` exactly once (it reaps the process); until then its pid cannot be reused.
public final class ExecProcess {
    /// The host pid.
    public let pid: Int32
    /// The pty master when a terminal was asked for (owned by this object), and the peer's name in the
    /// container (`/dev/pts/N`).
    public let terminal: Int32?
    public let terminalName: String?
    let attached: Bool
    let timeout: Duration?
    let captureLimit: Int?
    /// Readable when the process has exited (a pidfd); -1 when detached.
    let exitDescriptor: Int32
    private var output: Int32?
    private var waited = false

    init(pid: Int32, attached: Bool, terminal: (fd: Int32, name: String)?, output: Int32?, options: ExecOptions) {
        self.pid = pid
        self.attached = attached
        self.terminal = terminal?.fd
        self.terminalName = terminal?.name
        self.output = output
        timeout = options.timeout
        if case .capture(let limit) = options.output { captureLimit = max(0, limit) } else { captureLimit = nil }
        // Our child: the pid stays ours until it is reaped, so the pidfd names this process.
        exitDescriptor = attached ? bosun_pidfd_open(pid) : -1
    }

    deinit {
        if let output { Sys.close(output) }
        if let terminal { Sys.close(terminal) }
        if exitDescriptor >= 0 { Sys.close(exitDescriptor) }
    }

    /// Sends `signal` to the process (until `wait()` has reaped it).
    public func signal(_ signal: Int32) {
        guard attached, !waited else { return }
        _ = kill(pid, signal)
    }

    /// Waits for the process to exit, collecting captured output and enforcing the timeout (SIGKILL).
    public func wait() -> ExecResult {
        guard attached, !waited else { return ExecResult(status: 0, pid: pid) }
        waited = true
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var captured = TailBuffer(limit: captureLimit ?? 0)
        var timedOut = false
        if exitDescriptor >= 0 && (output != nil || deadline != nil) {
            var exited = false
            while !exited {
                var descriptors = [pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)]
                if let output { descriptors.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
                var wait: Int32 = -1
                if let deadline, !timedOut {
                    let left = deadline - ContinuousClock.now
                    wait = left <= .zero ? 0 : Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
                }
                let ready = poll(&descriptors, nfds_t(descriptors.count), wait)
                if ready < 0 && Glibc.errno != EINTR { break }
                if descriptors.count > 1 && descriptors[1].revents != 0 { readOutput(into: &captured) }
                if descriptors[0].revents != 0 { exited = true }
                if let deadline, !timedOut, !exited, ContinuousClock.now >= deadline {
                    _ = kill(pid, SIGKILL)
                    timedOut = true
                }
            }
            // What the process wrote before it exited; a background child that keeps the pipe open is not
            // waited for.
            if let output {
                _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
                while self.output != nil && readOutput(into: &captured) {}
            }
        }
        let status = Sys.waitpid(pid).map(WaitStatus.shellCode) ?? 255
        return ExecResult(status: status, output: captured.bytes, outputTruncated: captured.truncated, timedOut: timedOut, pid: pid)
    }

    /// Reads one chunk of output; false (and the pipe closed at end of file) when nothing more is there now.
    @discardableResult
    private func readOutput(into buffer: inout TailBuffer) -> Bool {
        guard let output else { return false }
        var chunk = [UInt8](repeating: 0, count: 16384)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
        if count > 0 {
            buffer.append(chunk[0..<count])
            return true
        }
        if count < 0 && (Glibc.errno == EINTR) { return true }
        if count == 0 || (Glibc.errno != EAGAIN) {
            Sys.close(output)
            self.output = nil
        }
        return false
    }
}

/// The last `limit` bytes written, and whether anything was dropped.
struct TailBuffer {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit {
            bytes.removeFirst(bytes.count - limit)
            truncated = true
        }
    }
}
