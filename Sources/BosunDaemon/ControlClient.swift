public import BosunAgent
import Foundation
import Glibc
import BosunLinux

/// A client of the agent's control socket (`bosun sync`, `bosun status`): one request, one response line.
/// Blocking; the answer may take as long as a convergence.
public enum ControlClient {
    /// Why the agent could not be asked.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Sends `request` to the socket at `path` and waits up to `timeout` seconds for the answer.
    public static func send(_ request: ControlRequest, to path: String, timeout: Int = 3600) throws(Failure) -> ControlResponse {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "ask the agent: socket: \(Errno.text(errno))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Failure(description: "ask the agent at \(path): the socket path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let cause = Errno.text(errno)
            throw Failure(description: "connect to the agent at \(path): \(cause); is `bosun agent` running (systemctl status bosun)? only root may connect")
        }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(request) else { throw Failure(description: "encode the request") }
        let line = Array(data) + [UInt8(ascii: "\n")]
        guard write(fd, line, line.count) == line.count else {
            throw Failure(description: "send to the agent at \(path): \(Errno.text(errno))")
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let cause = count == 0 ? "it closed the connection" : Errno.text(errno)
                throw Failure(description: "read the agent's answer from \(path): \(cause)")
            }
            received += chunk[..<count]
        }
        let answer = received.prefix { $0 != UInt8(ascii: "\n") }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(answer)) else {
            throw Failure(description: "read the agent's answer from \(path): not a control response")
        }
        return response
    }
}
