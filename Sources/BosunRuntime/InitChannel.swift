import Glibc

/// The SOCK_SEQPACKET socket between the caller and the helper/init: one JSON message per datagram.
struct InitChannel {
    let fd: Int32

    func send(_ message: InitMessage) throws(RuntimeError) {
        try Sys.send(fd, InitMessage.encode(message), step: "send `\(message.kind.rawValue)` to the caller")
    }

    /// Reports `error` to the caller (best effort: the caller may be gone).
    func fail(_ error: RuntimeError) {
        try? send(InitMessage(kind: .error, error: error))
    }

    /// The next message, or nil when every other end has closed.
    func receive() throws(RuntimeError) -> InitMessage? {
        guard let bytes = try Sys.receive(fd, step: "read from the container init") else { return nil }
        return try InitMessage.decode(bytes)
    }

    /// A connected pair (caller end, helper end), both close-on-exec.
    static func pair() throws(RuntimeError) -> (caller: Int32, helper: Int32) {
        var fds: [Int32] = [0, 0]
        try Sys.check("create the init socket pair") {
            socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
        }
        return (fds[0], fds[1])
    }
}

/// Connects to a unix stream socket by path (the `--console-socket`).
enum UnixSocket {
    /// The socket address of `path`, and its length.
    static func address(_ path: String, step: String) throws(RuntimeError) -> (sockaddr_un, socklen_t) {
        let bytes = Array(path.utf8)
        var address = sockaddr_un()
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw RuntimeError(step, errno: ENAMETOOLONG) }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }

    static func connect(_ path: String) throws(RuntimeError) -> Int32 {
        let step = "connect to console socket `\(path)`"
        var (address, length) = try self.address(path, step: step)
        let fd = try Sys.check(step) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do {
            try Sys.check(step) {
                withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
            }
        } catch {
            Sys.close(fd)
            throw error
        }
        return fd
    }
}
