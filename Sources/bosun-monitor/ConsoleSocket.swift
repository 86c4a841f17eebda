import CBosunSys
import Glibc

/// The monitor's console socket (`--console PATH`): a unix socket the container's init connects to, handing
/// over its pty master (SCM_RIGHTS), as to runc's `--console-socket`.
enum ConsoleSocket {
    /// A listening socket at `path`, or -1 (errno set).
    static func listen(_ path: String) -> Int32 {
        let bytes = Array(path.utf8)
        var address = sockaddr_un()
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            errno = ENAMETOOLONG
            return -1
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return -1 }
        unlink(path)
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, Glibc.listen(fd, 1) == 0 else {
            let saved = errno
            close(fd)
            errno = saved
            return -1
        }
        return fd
    }

    /// Accepts the init's connection and returns the pty master it sends, or -1 (errno set).
    static func receiveMaster(_ listening: Int32) -> Int32 {
        let connection = accept(listening, nil, nil)
        guard connection >= 0 else { return -1 }
        defer { close(connection) }
        _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
        var name = [CChar](repeating: 0, count: 256)
        return bosun_recv_fd(connection, &name, name.count - 1)
    }
}
