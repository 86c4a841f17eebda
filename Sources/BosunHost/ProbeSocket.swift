import Foundation

/// A TCP connection to an IPv4 address with a deadline on every step (non-blocking socket and `poll`), for
/// the tcp and http health probes. Blocking: call it off the cooperative pool.
struct ProbeSocket {
    let fd: Int32
    /// Monotonic nanoseconds by which everything must be done.
    let deadline: UInt64

    /// Connects to `address:port` before `deadline`.
    init(address: String, port: Int, deadline: UInt64) throws(HostError) {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw HostError("connect to \(address):\(port)", cause: "not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HostError("create a socket", errno: errno) }
        self.fd = fd
        self.deadline = deadline
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            guard errno == EINPROGRESS else {
                let code = errno
                Glibc.close(fd)
                throw HostError("connect to \(address):\(port)", errno: code)
            }
            do { try wait(for: Int16(POLLOUT), what: "connect to \(address):\(port)") } catch {
                Glibc.close(fd)
                throw error
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else {
                Glibc.close(fd)
                throw HostError("connect to \(address):\(port)", errno: failure)
            }
        }
    }

    func close() { _ = Glibc.close(fd) }

    /// Waits until the socket is ready for `events`, or throws when the deadline passes.
    func wait(for events: Int16, what: String) throws(HostError) {
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw HostError(what, cause: "timed out") }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready >= 0 else { throw HostError(what, errno: errno) }
            if ready > 0 { return }
        }
    }

    func send(_ bytes: [UInt8], what: String) throws(HostError) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), what: what)
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard sent > 0 else { throw HostError(what, errno: errno) }
            offset += sent
        }
    }

    /// Reads until the peer closes, `enough` says so, or `limit` bytes arrived.
    func receive(limit: Int, what: String, enough: ([UInt8]) -> Bool) throws(HostError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < limit && !enough(received) {
            try wait(for: Int16(POLLIN), what: what)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard count >= 0 else { throw HostError(what, errno: errno) }
            if count == 0 { break }
            received += buffer.prefix(count)
        }
        return received
    }
}
