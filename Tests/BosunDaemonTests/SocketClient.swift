import Foundation
import Glibc

/// A blocking test client: sends bytes to a TCP port on 127.0.0.1 or a unix socket and reads until the
/// server closes or a newline arrives (`untilNewline`).
enum SocketClient {
    static func tcp(port: Int, send bytes: [UInt8]) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return try exchange(fd, bytes, untilNewline: false)
    }

    /// `unix(path:send:)` on Dispatch's pool: the caller's cooperative thread stays free while the server (whose
    /// handler runs on that pool) answers — on a busy two-core machine a blocked thread starved it.
    static func unixOffPool(path: String, send bytes: [UInt8]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try unix(path: path, send: bytes) }) }
        }
    }

    static func unix(path: String, send bytes: [UInt8]) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return try exchange(fd, bytes, untilNewline: true)
    }

    static func exchange(_ fd: Int32, _ bytes: [UInt8], untilNewline: Bool) throws -> String {
        // Generous: the servers answer at once, but under a loaded 2-core CI the tests that block the cooperative
        // pool (synchronous process runs) can delay the server's handler for over a minute; a hang still ends.
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            received += chunk[..<count]
            if untilNewline && received.contains(UInt8(ascii: "\n")) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
