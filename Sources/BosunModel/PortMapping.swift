/// One published port: a host address and port forwarded to a container port, one port per value.
public struct PortMapping: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// A transport protocol.
    public enum TransportProtocol: String, Sendable, Hashable, Codable, Comparable {
        case tcp, udp, sctp
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The host address to bind; nil means every address.
    public var hostIP: String?
    /// The host port; nil means an ephemeral port chosen at start.
    public var hostPort: Int?
    public var containerPort: Int
    public var transport: TransportProtocol

    public init(hostIP: String? = nil, hostPort: Int?, containerPort: Int, transport: TransportProtocol = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.transport = transport
    }

    enum CodingKeys: String, CodingKey {
        case hostIP = "host_ip", hostPort = "published", containerPort = "target", transport = "protocol"
    }

    public static func < (lhs: PortMapping, rhs: PortMapping) -> Bool {
        (lhs.containerPort, lhs.transport, lhs.hostIP ?? "", lhs.hostPort ?? -1) < (rhs.containerPort, rhs.transport, rhs.hostIP ?? "", rhs.hostPort ?? -1)
    }

    public var description: String {
        var out = ""
        if let hostIP { out += hostIP.contains(":") ? "[\(hostIP)]:" : "\(hostIP):" }
        if let hostPort { out += "\(hostPort):" } else if hostIP != nil { out += ":" }
        return out + "\(containerPort)/\(transport.rawValue)"
    }

    /// Parses Compose's short syntax `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`,
    /// expanding ranges to one mapping per port.
    public static func parseShort(_ text: String) throws(ModelValueError) -> [PortMapping] {
        let bad = { (why: String) in ModelValueError("invalid port \"\(text)\": \(why)") }
        var spec = Substring(text.trimmingSpaces())
        var transport = TransportProtocol.tcp
        if let slash = spec.lastIndex(of: "/") {
            let name = spec[spec.index(after: slash)...].lowercased()
            guard let parsed = TransportProtocol(rawValue: name) else { throw bad("protocol \"\(name)\" must be tcp, udp or sctp") }
            transport = parsed
            spec = spec[..<slash]
        }
        var hostIP: String?
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            hostIP = String(spec[spec.index(after: spec.startIndex)..<close])
            spec = spec[spec.index(after: close)...]
            guard spec.hasPrefix(":") else { throw bad("expected ':' after the IPv6 address") }
            spec = spec.dropFirst()
        }
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if hostIP == nil && parts.count == 3 {
            hostIP = parts.removeFirst()
        }
        guard parts.count == 1 || parts.count == 2 else { throw bad("expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]") }
        if let ip = hostIP {
            guard IPAddressText.isIPv4(ip) || IPAddressText.isIPv6(ip) else { throw bad("host address \"\(ip)\" is not an IP address") }
        }
        let container = try parseRange(parts.last!, bad)
        var host: ClosedRange<Int>?
        if parts.count == 2, !parts[0].isEmpty { host = try parseRange(parts[0], bad) }
        if let host, host.count != container.count, host.count != 1 || container.count != 1 {
            if container.count == 1 {
                // a host range for one container port: Docker picks one free port of the range; we take the first
                return [PortMapping(hostIP: hostIP, hostPort: host.lowerBound, containerPort: container.lowerBound, transport: transport)]
            }
            throw bad("the host range has \(host.count) ports but the container range has \(container.count)")
        }
        return container.enumerated().map { offset, port in
            PortMapping(hostIP: hostIP, hostPort: host.map { $0.lowerBound + offset }, containerPort: port, transport: transport)
        }
    }

    static func parseRange(_ text: String, _ bad: (String) -> ModelValueError) throws(ModelValueError) -> ClosedRange<Int> {
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 1 || pieces.count == 2 else { throw bad("\"\(text)\" is not a port or a range") }
        var ports: [Int] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.allSatisfy(\.isNumber), let n = Int(piece), n >= 1, n <= 65535 else {
                throw bad("\"\(piece)\" is not a port number between 1 and 65535")
            }
            ports.append(n)
        }
        guard ports.first! <= ports.last! else { throw bad("range \"\(text)\" ends before it starts") }
        return ports.first!...ports.last!
    }
}

/// Checks of IP address text, without touching the network.
public enum IPAddressText {
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isNumber) && Int(p).map { $0 <= 255 } == true
        }
    }

    public static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.count <= 45 else { return false }
        let groups = text.components(separatedByString: "::")
        guard groups.count <= 2 else { return false }
        var total = 0
        for group in groups where !group.isEmpty {
            let fields = group.split(separator: ":", omittingEmptySubsequences: false)
            for (i, field) in fields.enumerated() {
                if i == fields.count - 1, field.contains(".") {
                    guard isIPv4(String(field)) else { return false }
                    total += 2
                    continue
                }
                guard !field.isEmpty, field.count <= 4, field.allSatisfy(\.isHexDigit) else { return false }
                total += 1
            }
        }
        return groups.count == 2 ? total < 8 : total == 8
    }

    /// The IPv4 address as a 32-bit number, or nil.
    public static func ipv4Value(_ text: String) -> UInt32? {
        guard isIPv4(text) else { return nil }
        return text.split(separator: ".").reduce(UInt32(0)) { $0 << 8 | UInt32($1)! }
    }
}

extension String {
    /// Splits on a multi-character separator, keeping empty pieces.
    package func components(separatedByString separator: String) -> [String] {
        var result: [String] = []
        var rest = Substring(self)
        while let range = rest.range(of: separator) {
            result.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        result.append(String(rest))
        return result
    }
}

extension Substring {
    package func range(of needle: String) -> Range<Substring.Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}

extension PortMapping {
    /// `127.0.0.1:8080->80/tcp`, as `docker ps` shows a published port.
    public var publishedText: String {
        "\(hostIP ?? "0.0.0.0"):\(hostPort.map(String.init) ?? "")->\(containerPort)/\(transport.rawValue)"
    }
}
