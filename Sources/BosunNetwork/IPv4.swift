import BosunModel

/// An IPv4 address as a 32-bit number in host order.
public struct IPv4Address: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(parsing text: String) throws(NetworkError) {
        guard let value = IPAddressText.ipv4Value(text) else {
            throw NetworkError(.invalidConfig, "\"\(text)\" is not an IPv4 address")
        }
        self.value = value
    }

    /// Network byte order, as netlink and sockets want it.
    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public init(bytes: some Collection<UInt8>) {
        self.value = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try IPv4Address(parsing: text)
    }
}

/// An IPv4 subnet in CIDR form; the address is always the network address.
public struct IPv4Subnet: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefixLength: Int

    public init(_ address: IPv4Address, prefixLength: Int) throws(NetworkError) {
        guard (0...32).contains(prefixLength) else {
            throw NetworkError(.invalidConfig, "prefix length \(prefixLength) is not between 0 and 32")
        }
        self.prefixLength = prefixLength
        self.network = IPv4Address(address.value & Self.mask(prefixLength))
    }

    /// Parses `a.b.c.d/n`; host bits are rejected, as Docker does.
    public init(parsing text: String) throws(NetworkError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]) else {
            throw NetworkError(.invalidConfig, "\"\(text)\" is not an IPv4 subnet in CIDR form (a.b.c.d/n)")
        }
        let address = try IPv4Address(parsing: String(parts[0]))
        try self.init(address, prefixLength: length)
        guard network == address else {
            throw NetworkError(.invalidConfig, "subnet \"\(text)\" has host bits set; use \(self)")
        }
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    public var mask: UInt32 { Self.mask(prefixLength) }
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
    public var first: IPv4Address { network }
    public var last: IPv4Address { IPv4Address(network.value | ~mask) }
    public var broadcast: IPv4Address { last }

    public func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }

    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.network) || other.contains(network) }

    /// The address at `offset` from the network address.
    public func address(at offset: UInt32) -> IPv4Address { IPv4Address(network.value &+ offset) }

    public var description: String { "\(network)/\(prefixLength)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.network, lhs.prefixLength) < (rhs.network, rhs.prefixLength) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        self = try IPv4Subnet(parsing: try decoder.singleValueContainer().decode(String.self))
    }
}
