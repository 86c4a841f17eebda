import CBosunSys
import Foundation
import Glibc

/// A console socket of bosun's own, for a foreground container with `process.terminal` and no
/// `--console-socket` (`bosun runtime run`, as `runc run` does on its terminal): a listening unix socket the
/// container's init connects to and hands the pty master over (SCM_RIGHTS).
public final class ConsoleListener {
    public let path: String
    private let fd: Int32

    /// Listens at `path` (in the container's state directory, 0700).
    public init(path: String) throws(RuntimeError) {
        let step = "listen on console socket `\(path)`"
        var (address, length) = try UnixSocket.address(path, step: step)
        let fd = try Sys.check(step) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            try Sys.check(step) { withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } } }
            try Sys.check(step) { listen(fd, 1) }
        } catch {
            Sys.close(fd)
            unlink(path)
            throw error
        }
        self.path = path
        self.fd = fd
    }

    deinit {
        Sys.close(fd)
        unlink(path)
    }

    /// The pty master the init sent (it connected while the container was made).
    public func receiveMaster() throws(RuntimeError) -> Int32 {
        let step = "receive the container's terminal on `\(path)`"
        var ready = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        guard poll(&ready, 1, 10_000) == 1 else { throw RuntimeError(step, detail: "the container's init did not connect") }
        let connection = try Sys.check(step) { accept(fd, nil, nil) }
        _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
        defer { Sys.close(connection) }
        var name = [CChar](repeating: 0, count: 256)
        return try Sys.check(step) { bosun_recv_fd(connection, &name, name.count - 1) }
    }
}
