/// One published port: a host address and port forwarded to a container port, one port per value.
public struct PortMapping: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// A transport protocol.
    public enum TransportProtocol: String, Sendable, Hashable, Codable, Comparable {
        case tcp, udp, sctp
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The host address to bind; nil means every address.
    public var hostIP: String?
    /// The host port, or the first of a host range (`8000-8010:80`); nil means an ephemeral port chosen at start.
    public var hostPort: Int?
    /// The last port of a host range for one container port: the network layer publishes the first free port
    /// of `hostPort...hostPortEnd` and keeps it while the container lives, as Docker does. Nil otherwise (so
    /// mappings without a range encode, and hash, as before).
    public var hostPortEnd: Int?
    public var containerPort: Int
    public var transport: TransportProtocol

    public init(hostIP: String? = nil, hostPort: Int?, hostPortEnd: Int? = nil, containerPort: Int, transport: TransportProtocol = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.hostPortEnd = hostPortEnd
        self.containerPort = containerPort
        self.transport = transport
    }

    enum CodingKeys: String, CodingKey {
        case hostIP = "host_ip", hostPort = "published", hostPortEnd = "published_end", containerPort = "target", transport = "protocol"
    }

    public static func < (lhs: PortMapping, rhs: PortMapping) -> Bool {
        (lhs.containerPort, lhs.transport, lhs.hostIP ?? "", lhs.hostPort ?? -1, lhs.hostPortEnd ?? -1)
            < (rhs.containerPort, rhs.transport, rhs.hostIP ?? "", rhs.hostPort ?? -1, rhs.hostPortEnd ?? -1)
    }

    /// The host ports this mapping may publish on: one, a range, or nil for an ephemeral port.
    public var hostPortRange: ClosedRange<Int>? {
        guard let hostPort else { return nil }
        return hostPort...(hostPortEnd ?? hostPort)
    }

    public var description: String {
        var out = ""
        if let hostIP { out += hostIP.contains(":") ? "[\(hostIP)]:" : "\(hostIP):" }
        if let hostPort { out += "\(hostPort)" + (hostPortEnd.map { "-\($0)" } ?? "") + ":" } else if hostIP != nil { out += ":" }
        return out + "\(containerPort)/\(transport.rawValue)"
    }

    /// Parses Compose's short syntax `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]` as Docker
    /// does (go-connections `nat.ParsePortSpec`): an empty host address is every address (`:443:443`), an
    /// IPv6 address may be bracketed or not (`[::1]:80:80`, `::1:80:80`), a host port 0 or none is
    /// ephemeral, a protocol is case-insensitive and may be left empty (`80/`), and a host range onto one
    /// container port publishes one free port of the range. Ranges expand to one mapping per port.
    public static func parseShort(_ text: String) throws(ModelValueError) -> [PortMapping] {
        let bad = { (why: String) in ModelValueError("invalid port \"\(text)\": \(why)") }
        let raw = text.trimmingSpaces()
        // splitParts: the container port is the last field, the host port the one before, the address all the rest.
        var fields = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var containerText = fields.removeLast()
        let hostText = fields.isEmpty ? "" : fields.removeLast()
        var hostIP: String? = fields.isEmpty ? nil : fields.joined(separator: ":")
        // SplitProtoPort: "80", "80/udp", "80/" (tcp).
        var transport = TransportProtocol.tcp
        if let slash = containerText.firstIndex(of: "/") {
            let name = containerText[containerText.index(after: slash)...].lowercased()
            containerText = String(containerText[..<slash])
            if !name.isEmpty {
                guard let parsed = TransportProtocol(rawValue: name) else { throw bad("protocol \"\(name)\" must be tcp, udp or sctp") }
                transport = parsed
            }
        }
        if let ip = hostIP, ip.hasPrefix("[") {
            guard ip.hasSuffix("]"), ip.count > 2 else { throw bad("\"\(ip)\" is not a bracketed IPv6 address") }
            hostIP = String(ip.dropFirst().dropLast())
        }
        if hostIP == "" { hostIP = nil }
        if let ip = hostIP {
            guard IPAddressText.isIPv4(ip) || IPAddressText.isIPv6(ip) else { throw bad("host address \"\(ip)\" is not an IP address") }
        }
        guard !containerText.isEmpty else { throw bad("no container port") }
        let container = try parseRange(containerText, lowest: 1, bad)
        var host: ClosedRange<Int>?
        if !hostText.isEmpty {
            let range = try parseRange(hostText, lowest: 0, bad)
            if range != 0...0 { host = range }
            if range.lowerBound == 0 && range != 0...0 { throw bad("a host range cannot start at port 0") }
        }
        if let host, host.count != container.count {
            guard container.count == 1 else {
                throw bad("the host range has \(host.count) ports but the container range has \(container.count)")
            }
            // Docker: the host range is where one free port is picked for the single container port.
            return [PortMapping(hostIP: hostIP, hostPort: host.lowerBound, hostPortEnd: host.upperBound,
                                containerPort: container.lowerBound, transport: transport)]
        }
        return container.enumerated().map { offset, port in
            PortMapping(hostIP: hostIP, hostPort: host.map { $0.lowerBound + offset }, containerPort: port, transport: transport)
        }
    }

    static func parseRange(_ text: String, lowest: Int, _ bad: (String) -> ModelValueError) throws(ModelValueError) -> ClosedRange<Int> {
        let pieces = text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 1 || pieces.count == 2 else { throw bad("\"\(text)\" is not a port or a range") }
        var ports: [Int] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(piece), n >= lowest, n <= 65535 else {
                throw bad("\"\(piece)\" is not a port number between \(lowest == 0 ? 1 : lowest) and 65535")
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
        "\(hostIP ?? "0.0.0.0"):\(hostPort.map(String.init) ?? "")\(hostPortEnd.map { "-\($0)" } ?? "")->\(containerPort)/\(transport.rawValue)"
    }
}
