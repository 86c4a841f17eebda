public import BosunModel

/// One network's address plan and the addresses handed out on it.
public struct NetworkAllocation: Sendable, Hashable, Codable {
    public var subnet: IPv4Subnet
    public var gateway: IPv4Address
    /// Where dynamic addresses come from (`ip_range`); the whole subnet when nil.
    public var range: IPv4Subnet?
    /// Addresses by owner (a container id).
    public var addresses: [String: IPv4Address] = [:]

    public init(subnet: IPv4Subnet, gateway: IPv4Address, range: IPv4Subnet? = nil) {
        self.subnet = subnet
        self.gateway = gateway
        self.range = range
    }
}

/// Address management, pure: subnets for networks (configured or carved out of a pool, avoiding host routes
/// and each other) and addresses for containers (static or the lowest free one). Persisted by its owner.
public struct IPAM: Sendable, Hashable, Codable {
    /// Allocations by network name (the name on the host).
    public private(set) var networks: [String: NetworkAllocation] = [:]
    /// The pool default subnets are carved from.
    public var pool: IPv4Subnet
    /// The prefix length of subnets carved from the pool.
    public var poolPrefixLength: Int

    public init(pool: IPv4Subnet = try! IPv4Subnet(parsing: "10.89.0.0/16"), poolPrefixLength: Int = 24) {
        self.pool = pool
        self.poolPrefixLength = poolPrefixLength
    }

    /// The allocation for `network`, created if needed. An existing allocation is kept as it is, so a
    /// restarted agent hands out the same subnet; `hostRoutes` are destinations of the host's routes that a
    /// new subnet must not overlap.
    public mutating func ensureNetwork(_ network: Network, hostRoutes: [IPv4Subnet]) throws(NetworkError) -> NetworkAllocation {
        if let existing = networks[network.name] {
            if let wanted = network.subnet, try IPv4Subnet(parsing: wanted) != existing.subnet {
                throw NetworkError(.invalidConfig, "network \(network.name) has subnet \(existing.subnet), not \(wanted)",
                                   hint: "remove the network to change its subnet")
            }
            return existing
        }
        let others = networks.filter { $0.key != network.name }.map { ($0.key, $0.value.subnet) }
        let subnet: IPv4Subnet
        if let text = network.subnet {
            subnet = try IPv4Subnet(parsing: text)
            guard subnet.prefixLength <= 30 else {
                throw NetworkError(.invalidConfig, "subnet \(subnet) of network \(network.name) is too small")
            }
            if let (name, other) = others.first(where: { $0.1.overlaps(subnet) }) {
                throw NetworkError(.invalidConfig, "subnet \(subnet) of network \(network.name) overlaps network \(name) (\(other))")
            }
            if let route = hostRoutes.first(where: { $0.overlaps(subnet) }) {
                throw NetworkError(.invalidConfig, "subnet \(subnet) of network \(network.name) overlaps the host route to \(route)")
            }
        } else {
            subnet = try freeSubnet(avoiding: others.map(\.1) + hostRoutes, for: network.name)
        }
        let gateway = try network.gateway.map { text throws(NetworkError) in try IPv4Address(parsing: text) } ?? subnet.address(at: 1)
        guard usable(gateway, in: subnet) else {
            throw NetworkError(.invalidConfig, "gateway \(gateway) of network \(network.name) is not a host address of \(subnet)")
        }
        var range: IPv4Subnet?
        if let text = network.ipRange {
            let parsed = try IPv4Subnet(parsing: text)
            guard subnet.contains(parsed.first), subnet.contains(parsed.last) else {
                throw NetworkError(.invalidConfig, "ip_range \(parsed) of network \(network.name) is not inside \(subnet)")
            }
            range = parsed
        }
        let allocation = NetworkAllocation(subnet: subnet, gateway: gateway, range: range)
        networks[network.name] = allocation
        return allocation
    }

    /// Forgets a network and every address on it.
    public mutating func releaseNetwork(_ name: String) {
        networks[name] = nil
    }

    /// The address of `owner` on `network`: its existing one, the requested static one, or the lowest free.
    public mutating func allocate(network name: String, owner: String, requested: IPv4Address? = nil) throws(NetworkError) -> IPv4Address {
        guard var allocation = networks[name] else {
            throw NetworkError(.notFound, "allocate an address on network \(name): the network has no subnet yet")
        }
        if let existing = allocation.addresses[owner], requested == nil || requested == existing { return existing }
        let taken = Set(allocation.addresses.filter { $0.key != owner }.map(\.value))
        let address: IPv4Address
        if let requested {
            guard usable(requested, in: allocation.subnet), requested != allocation.gateway else {
                throw NetworkError(.invalidConfig, "address \(requested) for \(owner) is not a free host address of \(allocation.subnet) (network \(name))")
            }
            guard !taken.contains(requested) else {
                let holder = allocation.addresses.first { $0.value == requested }!.key
                throw NetworkError(.invalidConfig, "address \(requested) on network \(name) is already used by \(holder)")
            }
            address = requested
        } else {
            let space = allocation.range ?? allocation.subnet
            var found: IPv4Address?
            var offset: UInt32 = 0
            while UInt64(offset) < space.size {
                let candidate = space.address(at: offset)
                if usable(candidate, in: allocation.subnet), candidate != allocation.gateway, !taken.contains(candidate) {
                    found = candidate
                    break
                }
                offset += 1
            }
            guard let found else {
                throw NetworkError(.exhausted, "no free address on network \(name) (\(space))")
            }
            address = found
        }
        allocation.addresses[owner] = address
        networks[name] = allocation
        return address
    }

    /// Gives back every address `owner` holds.
    public mutating func release(owner: String) {
        for name in networks.keys { networks[name]!.addresses[owner] = nil }
    }

    /// Gives back the address `owner` holds on one network.
    public mutating func release(owner: String, network name: String) {
        networks[name]?.addresses[owner] = nil
    }

    func usable(_ address: IPv4Address, in subnet: IPv4Subnet) -> Bool {
        subnet.contains(address) && (subnet.prefixLength >= 31 || (address != subnet.first && address != subnet.last))
    }

    func freeSubnet(avoiding used: [IPv4Subnet], for name: String) throws(NetworkError) -> IPv4Subnet {
        let step = UInt32(1) << UInt32(32 - poolPrefixLength)
        let count = pool.size >> UInt64(32 - poolPrefixLength)
        for index in 0..<count {
            let candidate = try IPv4Subnet(pool.address(at: UInt32(index) * step), prefixLength: poolPrefixLength)
            if !used.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        throw NetworkError(.exhausted, "no free /\(poolPrefixLength) subnet in \(pool) for network \(name)",
                           hint: "set ipam.config subnet on the network")
    }
}
