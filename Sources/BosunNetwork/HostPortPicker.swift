import BosunModel
import Foundation
import Glibc

/// Chooses the host port of a mapping that leaves it open, as Docker's port allocator does: an ephemeral
/// port (`80`, `127.0.0.1::80`) comes from the kernel's local port range, a host range onto one container
/// port (`8000-8010:80`) gives its first free port. A port is free when no other container publishes it
/// (same protocol, overlapping address) and no socket of the host is bound to it. The choice is recorded
/// with the container's attachment and kept while the container lives (its restarts included).
struct HostPortPicker {
    /// Whether a host socket could bind the address (nil: every address) and port with the protocol.
    var isBindable: (String?, Int, PortMapping.TransportProtocol) -> Bool
    /// Where ephemeral ports come from.
    var ephemeralRange: ClosedRange<Int>

    /// `wanted` with every open host port chosen; a mapping `previous` already chose for is kept when it
    /// still fits. `taken` are the resolved mappings of every other container.
    func resolve(_ wanted: [PortMapping], previous: [PortMapping], taken: [PortMapping]) throws(NetworkError) -> [PortMapping] {
        var result: [PortMapping] = []
        for mapping in wanted {
            if mapping.hostPort != nil && mapping.hostPortEnd == nil {
                result.append(mapping)
                continue
            }
            let candidates = mapping.hostPortRange ?? ephemeralRange
            let inUse = taken + result
            func fits(_ port: Int) -> Bool {
                !inUse.contains { other in
                    other.transport == mapping.transport && other.hostPort == port && Self.overlaps(other.hostIP, mapping.hostIP)
                }
            }
            let kept = previous.first { old in
                old.containerPort == mapping.containerPort && old.transport == mapping.transport && old.hostIP == mapping.hostIP
                    && old.hostPort.map { candidates.contains($0) && fits($0) } == true
            }
            if let kept {
                result.append(kept)
                continue
            }
            guard let port = candidates.first(where: { fits($0) && isBindable(mapping.hostIP, $0, mapping.transport) }) else {
                throw NetworkError(.invalidConfig, "publish \(mapping): no free host port in \(candidates.lowerBound)-\(candidates.upperBound)",
                                   hint: "free one of those ports, or widen the range")
            }
            result.append(PortMapping(hostIP: mapping.hostIP, hostPort: port, containerPort: mapping.containerPort, transport: mapping.transport))
        }
        return result
    }

    static func overlaps(_ a: String?, _ b: String?) -> Bool {
        let any: Set<String?> = [nil, "0.0.0.0"]
        return a == b || any.contains(a) || any.contains(b)
    }

    /// The kernel's local port range (`/proc/sys/net/ipv4/ip_local_port_range`), Docker's 49153-65535 when unreadable.
    static func kernelEphemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] >= 1, numbers[0] <= numbers[1], numbers[1] <= 65535 else { return 49153...65535 }
        return numbers[0]...numbers[1]
    }

    /// Binds a socket of the host to the address and port, and closes it: false when something holds it.
    static func hostCanBind(_ address: String?, _ port: Int, _ transport: PortMapping.TransportProtocol) -> Bool {
        let type = transport == .udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let proto = transport == .sctp ? Int32(IPPROTO_SCTP) : 0
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), proto)
        guard fd >= 0 else { return true }  // cannot probe (no SCTP in the kernel): the DNAT rule decides
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        sin.sin_addr.s_addr = address.flatMap { try? IPv4Address(parsing: $0) }.map { $0.value.bigEndian } ?? 0
        let bound = withUnsafePointer(to: &sin) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        return bound || errno != EADDRINUSE
    }
}
