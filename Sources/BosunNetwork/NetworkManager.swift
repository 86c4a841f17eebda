public import BosunModel
import Foundation
import Synchronization
import BosunLinux

/// The network layer's facade: bridges with NAT for networks, veth pairs with addresses and published ports
/// for containers, hosts/resolv.conf files for name resolution. Every operation is idempotent and recorded
/// in `<stateDirectory>/network.json` before the kernel is touched; `recover()` finishes or undoes what a
/// crash interrupted. Operations are serialised; they block the calling thread for a few milliseconds.
public final class NetworkManager: Sendable {
    /// The kernel boundaries, replaceable by fakes in tests.
    struct Environment: Sendable {
        var host: any NetlinkTransport
        var namespace: @Sendable (String) throws(NetworkError) -> any NetlinkTransport
        var nft: any NftablesRunner
        var sysctl: any SysctlWriter
        var hostResolvConf: @Sendable () -> String
        /// Whether a host socket can bind an address and port (for ports bosun chooses).
        var hostCanBind: @Sendable (String?, Int, PortMapping.TransportProtocol) -> Bool = HostPortPicker.hostCanBind
        /// The range ephemeral published ports come from.
        var ephemeralPorts: @Sendable () -> ClosedRange<Int> = HostPortPicker.kernelEphemeralRange
    }

    let stateDirectory: String
    let env: Environment
    /// This process's copy of `network.json`; `withState` and `reading` take the file again when another
    /// process (the agent beside `bosun apply` or `run -d`) replaced it.
    let stored: Mutex<NetworkStateFile>
    let file: SharedStateFile

    /// A manager for the real kernel, keeping its state in `stateDirectory`.
    public convenience init(stateDirectory: String) throws(NetworkError) {
        let env = Environment(
            host: try NetlinkSocket(),
            namespace: { path throws(NetworkError) in try NetlinkSocket.inNamespace(path) },
            nft: try LibNftables(),
            sysctl: ProcSysctl(),
            hostResolvConf: { (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? "" })
        try self.init(stateDirectory: stateDirectory, environment: env)
    }

    init(stateDirectory: String, environment: Environment) throws(NetworkError) {
        self.stateDirectory = stateDirectory
        self.env = environment
        try FileWriter.makeDirectory(StateLayout.Network(stateDirectory).containers)
        let layout = StateLayout.Network(stateDirectory)
        file = SharedStateFile(path: layout.records, lockPath: layout.recordsLock)
        stored = Mutex(try Self.load(stateDirectory))
        file.noteSeen()
    }

    static func load(_ stateDirectory: String) throws(NetworkError) -> NetworkStateFile {
        let path = StateLayout.Network(stateDirectory).records
        var loaded = NetworkStateFile()
        if let data = FileManager.default.contents(atPath: path) {
            do {
                loaded = try JSONDecoder().decode(NetworkStateFile.self, from: data)
            } catch {
                throw NetworkError(.state, "read network state \(path): \(error)", hint: "move the file away to start afresh")
            }
        } else {
            loaded.scope = Self.scope(for: stateDirectory)
        }
        return loaded
    }

    /// Runs `body` on the records as they are on disk, holding their cross-process lock: what it changes and
    /// `save`s no other bosun process overwrites, and it never writes back a stale copy.
    func withState<T>(_ body: (inout NetworkStateFile) throws(NetworkError) -> T) throws(NetworkError) -> T {
        try file.exclusively(lockFailed: { NetworkError(.state, "lock \($0.path)", errno: $0.code) }) { () throws(NetworkError) -> T in
            try stored.withLock { s throws(NetworkError) -> T in
                try file.refresh(&s) { () throws(NetworkError) in try Self.load(stateDirectory) }
                return try body(&s)
            }
        }
    }

    /// Reads the records (taken again from disk when another process replaced them; as they were when the new
    /// file cannot be read, which the next change reports).
    func reading<T>(_ body: (NetworkStateFile) -> T) -> T {
        stored.withLock { s in
            try? file.refresh(&s) { () throws(NetworkError) in try Self.load(stateDirectory) }
            return body(s)
        }
    }

    /// The default state directory's network objects keep bosun's plain names (`ip bosun`, `bsn-<hash>`);
    /// any other state directory's get a scope of its own (8 hex digits of its path), so that two state
    /// directories on one host — a test, a second installation — never touch each other's rules.
    static func scope(for stateDirectory: String) -> String? {
        let resolved = realpath(stateDirectory, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        } ?? stateDirectory
        return resolved == defaultStateDirectory ? nil : stableHash(resolved)
    }

    /// Where the agent, `apply` and `run` keep network state by default.
    static let defaultStateDirectory = "/var/lib/bosun/network"

    /// This state directory's nftables table (`ip bosun`, or `ip bosun-<scope>`).
    public var tableName: String { reading { $0.tableName } }

    /// The recorded networks.
    public var networks: [NetworkState] {
        reading { s in s.networks.values.compactMap { Self.networkState($0, s.ipam) }.sorted { $0.name < $1.name } }
    }

    /// The ids of the recorded containers.
    public var attachedContainers: [String] { reading { $0.containers.keys.sorted() } }

    // MARK: networks

    /// Creates (or repairs) the bridge, gateway address and NAT rules of `network`, allocating its subnet on
    /// first use. An external network must already be known.
    public func ensureNetwork(_ network: Network) throws(NetworkError) -> NetworkState {
        try withState { s throws(NetworkError) -> NetworkState in
            if network.external {
                guard let record = s.networks[network.name], let result = Self.networkState(record, s.ipam) else {
                    throw NetworkError(.notFound, "use external network \(network.name): bosun has not created it",
                                       hint: "declare it in the project that owns it, or drop external: true")
                }
                return result
            }
            let bridge = s.bridgeName(for: network.name)
            let links = LinkClient(transport: env.host)
            let routes = try links.routeDestinations()
            _ = try s.ipam.ensureNetwork(network, hostRoutes: routes)
            s.networks[network.name] = NetworkRecord(network: network, bridge: bridge, phase: .creating)
            try save(s)
            let allocation = s.ipam.networks[network.name]!
            try links.createBridge(bridge, mtu: nil)
            guard let link = try links.link(named: bridge) else {
                throw NetworkError(.netlink, "create bridge \(bridge): it vanished after creation")
            }
            try links.addAddress(allocation.gateway, prefixLength: allocation.subnet.prefixLength, index: link.index, name: bridge)
            try env.sysctl.write("net.ipv4.conf.\(bridge).route_localnet", "1")
            try links.setUp(link.index, name: bridge)
            if env.sysctl.read("net.ipv4.ip_forward") != "1" { try env.sysctl.write("net.ipv4.ip_forward", "1") }
            try applyRules(s, removing: [], what: "add nftables rules of network \(network.name)")
            s.networks[network.name]!.phase = .ready
            try save(s)
            return Self.networkState(s.networks[network.name]!, s.ipam)!
        }
    }

    /// Deletes a network's bridge and rules and releases its subnet. Missing networks are not an error;
    /// a network with attached containers is.
    public func removeNetwork(named name: String) throws(NetworkError) {
        try withState { s throws(NetworkError) in
            guard var record = s.networks[name] else { return }
            let users = s.containers.values.filter { c in c.interfaces.contains { $0.network == name } }.map(\.id).sorted()
            guard users.isEmpty else {
                throw NetworkError(.invalidConfig, "remove network \(name): containers \(users.joined(separator: ", ")) are attached",
                                   hint: "detach them first")
            }
            record.phase = .removing
            s.networks[name] = record
            try save(s)
            try finishRemovingNetwork(&s, name)
        }
    }

    func finishRemovingNetwork(_ s: inout NetworkStateFile, _ name: String) throws(NetworkError) {
        guard let record = s.networks[name] else { return }
        try LinkClient(transport: env.host).deleteLink(record.bridge)
        s.networks[name] = nil
        s.ipam.releaseNetwork(name)
        try applyRules(s, removing: NftRuleset.networkChains(record.bridge), what: "remove nftables rules of network \(name)")
        try save(s)
    }

    // MARK: shared helpers

    static func networkState(_ record: NetworkRecord, _ ipam: IPAM) -> NetworkState? {
        guard let allocation = ipam.networks[record.network.name] else { return nil }
        return NetworkState(name: record.network.name, bridge: record.bridge, subnet: allocation.subnet,
                            gateway: allocation.gateway, isInternal: record.network.isInternal)
    }

    func ruleset(_ s: NetworkStateFile) -> NftRuleset {
        let networks = s.networks.values.compactMap { record -> NftRuleset.NetworkRules? in
            guard let allocation = s.ipam.networks[record.network.name] else { return nil }
            return NftRuleset.NetworkRules(bridge: record.bridge, subnet: allocation.subnet, isInternal: record.network.isInternal)
        }
        var containers: [String: [NftRuleset.Publish]] = [:]
        for record in s.containers.values where record.serves {
            guard let primary = record.interfaces.first else { continue }
            containers[record.id] = record.ports.compactMap { port in
                guard let hostPort = port.hostPort else { return nil }
                var hostIP: IPv4Address?
                if let text = port.hostIP {
                    guard let parsed = try? IPv4Address(parsing: text) else { return nil }  // IPv6: not yet
                    if parsed.value != 0 { hostIP = parsed }
                }
                return NftRuleset.Publish(hostIP: hostIP, hostPort: hostPort, transport: port.transport.rawValue,
                                          containerIP: primary.address, containerPort: port.containerPort)
            }
        }
        return NftRuleset(table: s.tableName, networks: networks, containers: containers)
    }

    /// Writes bosun's table; once no network is left, deletes it, so a host bosun no longer networks has
    /// no bosun rules at all (declaring it first makes the delete succeed when it is already gone).
    func applyRules(_ s: NetworkStateFile, removing: [String], what: String) throws(NetworkError) {
        if s.networks.isEmpty {
            try env.nft.run("table \(s.tableName) {}\ndelete table \(s.tableName)\n", what: what)
            return
        }
        try env.nft.run(ruleset(s).script(removing: removing), what: what)
    }

    func save(_ s: NetworkStateFile) throws(NetworkError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(s) } catch { throw NetworkError(.state, "encode network state: \(error)") }
        try FileWriter.atomically(Array(data), to: StateLayout.Network(stateDirectory).records)
        file.noteSeen()
    }
}
