import CBosunSys
import Glibc

/// The stdin, stdout and stderr an exec'd process gets through the helper: the caller's, /dev/null, or the
/// write end of a capture pipe. Descriptors are closed once each (a class, so copies cannot close twice).
final class ExecStdio {
    /// (descriptor in the caller, number in the helper).
    private(set) var helperDescriptors: [(Int32, Int32)] = []
    /// The read end of the capture pipe, handed to `ExecProcess`.
    private(set) var captureRead: Int32?
    private var helperEnds: [Int32] = []

    init(options: ExecOptions, terminal: Bool) throws(RuntimeError) {
        if terminal { return }  // the process's stdio is the pty
        var null: Int32?
        func devNull() throws(RuntimeError) -> Int32 {
            if let null { return null }
            let fd = try Sys.open("/dev/null", flags: O_RDWR | O_CLOEXEC, step: "open `/dev/null`")
            helperEnds.append(fd)
            null = fd
            return fd
        }
        do throws(RuntimeError) {
            if !options.stdin || options.detached { helperDescriptors.append((try devNull(), 0)) }
            switch options.detached ? .discard : options.output {
            case .inherit: break
            case .discard:
                let fd = try devNull()
                helperDescriptors += [(fd, 1), (fd, 2)]
            case .capture:
                var ends: [Int32] = [0, 0]
                try Sys.check("create the output pipe") { bosun_pipe2(&ends, O_CLOEXEC) }
                captureRead = ends[0]
                helperEnds.append(ends[1])
                helperDescriptors += [(ends[1], 1), (ends[1], 2)]
            }
        } catch {
            closeHelperEnds()
            closeCallerEnds()
            throw error
        }
    }

    /// Closes what only the helper needed (after it started).
    func closeHelperEnds() {
        helperEnds.forEach(Sys.close)
        helperEnds = []
    }

    /// Closes the caller's ends (when the exec failed).
    func closeCallerEnds() {
        if let captureRead { Sys.close(captureRead) }
        captureRead = nil
    }
}
