import CBosunSys
import Foundation
import Synchronization

/// Sends rtnetlink requests and collects the replies: the kernel boundary of the link layer, with a real
/// socket implementation and a recording fake for tests.
protocol NetlinkTransport: Sendable {
    /// Sends `request` and returns the replies (dump messages, or nothing for an acknowledged request).
    /// An NLMSG_ERROR with a non-zero code becomes a `NetworkError(.netlink)` whose message is `what`.
    func execute(_ request: NetlinkRequest, what: String) throws(NetworkError) -> [NetlinkReply]
}

/// A NETLINK_ROUTE socket, bound to the network namespace it was created in.
final class NetlinkSocket: NetlinkTransport, Sendable {
    private let fd: Int32
    private let seq = Atomic<UInt32>(1)
    private let lock = Mutex(())

    /// A socket in the calling thread's network namespace.
    init() throws(NetworkError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0 /* NETLINK_ROUTE */)
        guard fd >= 0 else { throw NetworkError(.system, "open a netlink socket", errno: errno) }
        self.fd = fd
    }

    private init(fd: Int32) { self.fd = fd }

    /// A socket in the network namespace at `path` (e.g. `/proc/PID/ns/net` or a bind-mounted netns file).
    /// Only a dedicated thread enters the namespace, long enough to create the socket; the socket stays there.
    static func inNamespace(_ path: String) throws(NetworkError) -> NetlinkSocket {
        let fd = try NamespaceThread.run(in: path) { () throws(NetworkError) -> Int32 in
            let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0 /* NETLINK_ROUTE */)
            guard fd >= 0 else { throw NetworkError(.system, "open a netlink socket in \(path)", errno: errno) }
            return fd
        }
        return NetlinkSocket(fd: fd)
    }

    deinit { close(fd) }

    func execute(_ request: NetlinkRequest, what: String) throws(NetworkError) -> [NetlinkReply] {
        try lock.withLock { _ throws(NetworkError) -> [NetlinkReply] in
            let number = seq.wrappingAdd(1, ordering: .relaxed).newValue
            var flags = request.flags
            let isDump = flags & RT.dump == RT.dump
            if !isDump { flags |= RT.ack }
            var message = request
            message.flags = flags
            let bytes = message.encoded(seq: number)
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard sent == bytes.count else { throw NetworkError(.netlink, what, errno: errno) }
            var replies: [NetlinkReply] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if received < 0 {
                    if errno == EINTR { continue }
                    throw NetworkError(.netlink, what, errno: errno)
                }
                for reply in NetlinkReply.parse(Array(buffer[0..<received])) where reply.seq == number {
                    if reply.type == RT.done { return replies }
                    if let code = reply.errorCode {
                        if code == 0 { return replies }
                        throw NetworkError(.netlink, what, errno: code)
                    }
                    replies.append(reply)
                }
            }
        }
    }
}

/// A fake transport that records requests and answers from a script (by default: acknowledge everything).
final class RecordingNetlink: NetlinkTransport, Sendable {
    struct Entry: Sendable, Hashable {
        var what: String
        var request: NetlinkRequest
    }

    private let state = Mutex<(entries: [Entry], failures: [String: Int32], replies: [String: [NetlinkReply]])>(([], [:], [:]))

    init() {}

    /// Makes requests whose description starts with `prefix` fail with `errno`.
    func fail(_ prefix: String, errno: Int32) { state.withLock { $0.failures[prefix] = errno } }
    /// Makes requests whose description starts with `prefix` return `replies`.
    func reply(_ prefix: String, _ replies: [NetlinkReply]) { state.withLock { $0.replies[prefix] = replies } }

    var entries: [Entry] { state.withLock { $0.entries } }
    var descriptions: [String] { entries.map(\.what) }

    func execute(_ request: NetlinkRequest, what: String) throws(NetworkError) -> [NetlinkReply] {
        let (failure, replies) = state.withLock { state in
            state.entries.append(Entry(what: what, request: request))
            return (state.failures.first { what.hasPrefix($0.key) }?.value, state.replies.first { what.hasPrefix($0.key) }?.value)
        }
        if let failure { throw NetworkError(.netlink, what, errno: failure) }
        return replies ?? []
    }
}
