import BosunLinux
import Foundation
import Glibc
import Synchronization

/// A client requesting `GET /` every 10 ms, each on a new connection (as a fleet of clients would), from this
/// host or from inside a network namespace; it records each answer's body, or a failure (refused, reset, no
/// answer within a second). For "no failed request during the update" checks; it measures no time.
final class RequestLoop: Sendable {
    struct Sample: Sendable {
        var ok: Bool
        var body: String
    }

    private let samples = Mutex<[Sample]>([])
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    /// Starts requesting `address:port`; `netns` (a path such as /run/netns/x) runs the client inside that namespace.
    init(address: String, port: Int, netns: String? = nil) {
        let thread = Thread { [self] in
            if let netns {
                // setns of a network namespace changes this thread only.
                let fd = open(netns, O_RDONLY | O_CLOEXEC)
                defer { close(fd) }
                do { try HostLinux().joinNamespace(fd: fd, type: 0x4000_0000, action: "join \(netns)") } catch {
                    samples.withLock { $0.append(Sample(ok: false, body: "\(error)")) }
                    finished.store(true, ordering: .sequentiallyConsistent)
                    return
                }
            }
            while !stopping.load(ordering: .sequentiallyConsistent) {
                let sample = Self.request(address: address, port: port)
                samples.withLock { $0.append(sample) }
                usleep(10_000)
            }
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        thread.start()
    }

    /// Stops the loop and returns every sample.
    func stop() -> [Sample] {
        stopping.store(true, ordering: .sequentiallyConsistent)
        while !finished.load(ordering: .sequentiallyConsistent) { usleep(5_000) }
        return samples.withLock { $0 }
    }

    /// The samples so far.
    var soFar: [Sample] { samples.withLock { $0 } }

    static func request(address: String, port: Int) -> Sample {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return Sample(ok: false, body: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &sin.sin_addr)
        let connected = withUnsafePointer(to: &sin) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Sample(ok: false, body: "connect: errno \(errno)") }
        let request = Array("GET / HTTP/1.0\r\nHost: \(address)\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return Sample(ok: false, body: "write: errno \(errno)") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { break }
            guard count > 0 else { return Sample(ok: false, body: "read: errno \(errno)") }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.") && text.contains(" 200 "), let split = text.range(of: "\r\n\r\n") else {
            return Sample(ok: false, body: "answer: \(text.prefix(80))")
        }
        return Sample(ok: true, body: String(text[split.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
