public import BosunModel

/// What `ensureNetwork` built for a network.
public struct NetworkState: Sendable, Hashable, Codable {
    /// The network's name on the host.
    public var name: String
    /// The bridge device (`bsn-` and a hash of the name).
    public var bridge: String
    public var subnet: IPv4Subnet
    public var gateway: IPv4Address
    public var isInternal: Bool
}

/// One interface of a container on one network.
public struct InterfaceState: Sendable, Hashable, Codable {
    /// The network's name on the host.
    public var network: String
    /// The interface inside the container (`eth0`, `eth1`, …).
    public var interface: String
    /// The host end of the veth pair, a port of the network's bridge.
    public var hostVeth: String
    public var address: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address
    /// Names peers resolve to this address on this network (service, container name, aliases).
    public var names: [String]
}

/// How a container is networked (`network_mode`).
public enum NetworkMode: Sendable, Hashable, Codable {
    /// Project networks, through veth pairs into bridges.
    case bridge
    /// Only loopback.
    case none
    /// The host's own namespace: no namespace work.
    case host
    /// Another container's namespace (`container:NAME` or `service:NAME`).
    case container(String)
    case service(String)

    /// Parses Compose's `network_mode` (nil or `bridge`/`default` mean project networks).
    public init(parsing text: String?) throws(NetworkError) {
        switch text {
        case nil, "bridge", "default": self = .bridge
        case "none": self = .none
        case "host": self = .host
        case let text? where text.hasPrefix("container:"): self = .container(String(text.dropFirst(10)))
        case let text? where text.hasPrefix("service:"): self = .service(String(text.dropFirst(8)))
        case let text?: throw NetworkError(.invalidConfig, "network_mode \"\(text)\" is not none, host, bridge, container:NAME or service:NAME")
        }
    }
}

/// Name-resolution settings of a container.
public struct DNSSettings: Sendable, Hashable, Codable {
    public var extraHosts: [String]
    public var dns: [String]
    public var dnsSearch: [String]
    public init(extraHosts: [String] = [], dns: [String] = [], dnsSearch: [String] = []) {
        self.extraHosts = extraHosts
        self.dns = dns
        self.dnsSearch = dnsSearch
    }

    public init(_ service: Service) {
        self.init(extraHosts: service.extraHosts, dns: service.dns, dnsSearch: service.dnsSearch)
    }
}

/// A difference between what bosun recorded and what the kernel has.
public enum Drift: Sendable, Hashable, CustomStringConvertible {
    case bridgeMissing(network: String, bridge: String)
    case bridgeDown(network: String, bridge: String)
    case vethMissing(container: String, network: String, veth: String)
    case vethDetached(container: String, network: String, veth: String)
    case nftTableMissing
    case nftChainDiffers(chain: String, expectedRules: Int, actualRules: Int?)

    public var description: String {
        switch self {
        case let .bridgeMissing(network, bridge): return "network \(network): bridge \(bridge) is missing"
        case let .bridgeDown(network, bridge): return "network \(network): bridge \(bridge) is down"
        case let .vethMissing(container, network, veth): return "container \(container) on \(network): veth \(veth) is missing"
        case let .vethDetached(container, network, veth): return "container \(container) on \(network): veth \(veth) is not a port of the bridge"
        case .nftTableMissing: return "nftables table ip bosun is missing"
        case let .nftChainDiffers(chain, expected, actual):
            return "nftables chain \(chain) has \(actual.map(String.init) ?? "no chain, so no") rules, expected \(expected)"
        }
    }
}

/// Progress of a change, recorded before the kernel is touched so a crash can be finished or undone.
enum Phase: String, Sendable, Hashable, Codable {
    case creating, ready, removing
}

struct NetworkRecord: Sendable, Hashable, Codable {
    var network: Network
    var bridge: String
    var phase: Phase
}

struct ContainerRecord: Sendable, Hashable, Codable {
    var id: String
    var netnsPath: String
    var names: [String]
    var attachments: [NetworkAttachment]
    var ports: [PortMapping]
    var dnsSettings: DNSSettings
    var interfaces: [InterfaceState]
    var phase: Phase
    /// The file the container has bound at /etc/hosts (in its own directory), kept in step with its peers.
    var boundHostsFile: String?
    /// Started beside the container it replaces (a start-first update): attached with its addresses, but its
    /// ports are not published and its peers do not resolve its names until `takeOver`; the container it
    /// replaced is standby from then until it is detached. Nil: it serves.
    var standby: Bool?

    /// Its ports are published and its peers resolve its names (it is not standby).
    var serves: Bool { standby != true }
}

/// Everything the network layer has done, persisted as one JSON file.
struct NetworkStateFile: Sendable, Hashable, Codable {
    var version = 1
    var ipam = IPAM()
    var networks: [String: NetworkRecord] = [:]
    var containers: [String: ContainerRecord] = [:]
    /// What sets this state directory's kernel objects apart from another's on the same host: its nftables
    /// table, bridge and veth names. Nil for the default state directory and for state files written before
    /// scopes (their objects keep the names they have).
    var scope: String?

    /// The host ports published by every serving container but `excluded`.
    func publishedPorts(except excluded: [String]) -> [PortMapping] {
        containers.values.filter { !excluded.contains($0.id) && $0.serves }.flatMap(\.ports)
    }

    /// The nftables table: `ip bosun`, or `ip bosun-<scope>`.
    var tableName: String { scope.map { "ip bosun-\($0)" } ?? "ip bosun" }

    /// The bridge of a new network: `bsn-` and 8 hex digits of its name (and scope).
    func bridgeName(for network: String) -> String { "bsn-" + stableHash(scoped(network)) }

    /// The host end of a container's veth on a network.
    func vethName(container: String, network: String) -> String { "vb" + stableHash(scoped(container + "\u{0}" + network)) }

    func scoped(_ text: String) -> String { scope.map { $0 + "\u{0}" + text } ?? text }
}
