public import BosunModel
import Foundation

extension NetworkManager {
    /// Connects the network namespace at `netnsPath` to the networks of `attachments` (each `network` is a
    /// network's host name, or its project key when that is unambiguous): a veth pair per network with the
    /// peer `eth0`, `eth1`, … inside, an address (static `ipv4_address` or allocated, kept across restarts),
    /// hairpin on the bridge port, `lo` up and a default route; DNAT rules for `ports` to the first
    /// interface's address; and the hosts and resolv.conf files (see `hostsPath(containerID:)`), refreshing
    /// those of peers. `names` are what peers resolve to this container (service, container name, hostname);
    /// aliases are added per network. `hostsFile` is the file the container binds at /etc/hosts: it is
    /// rewritten in place whenever a peer comes, changes address or goes, so every container resolves every
    /// peer whatever order they were attached in. Calling it again with the same arguments changes nothing.
    ///
    /// `standby` attaches a container started beside the one it replaces (see `ContainerRecord.standby`); nil
    /// keeps what the container's record says (a restart), and a new container serves.
    @discardableResult
    public func attach(containerID: String, netnsPath: String, attachments: [NetworkAttachment], ports: [PortMapping] = [],
                       names: [String] = [], dns: DNSSettings = DNSSettings(), hostsFile: String? = nil,
                       standby: Bool? = nil) throws(NetworkError) -> [InterfaceState] {
        try withState { s throws(NetworkError) -> [InterfaceState] in
            let previous = s.containers[containerID]
            let standby = standby ?? (previous?.standby == true)
            // Open host ports (ephemeral, or one of a range) are chosen first (a failure changes nothing) and
            // kept while the container lives; a standby container's are chosen when it takes over.
            let resolvedPorts = standby ? ports : try Self.portPicker(env).resolve(ports, previous: previous?.ports ?? [],
                                                                                   taken: s.publishedPorts(except: [containerID]))
            var resolved: [(NetworkRecord, NetworkAttachment)] = []
            for attachment in attachments {
                resolved.append((try Self.resolve(attachment.network, in: s), attachment))
            }
            var interfaces: [InterfaceState] = []
            for (index, (record, attachment)) in resolved.enumerated() {
                let name = record.network.name
                let requested = try attachment.ipv4Address.map { text throws(NetworkError) in try IPv4Address(parsing: text) }
                let address = try s.ipam.allocate(network: name, owner: containerID, requested: requested)
                let allocation = s.ipam.networks[name]!
                interfaces.append(InterfaceState(
                    network: name, interface: "eth\(index)", hostVeth: s.vethName(container: containerID, network: name),
                    address: address, prefixLength: allocation.subnet.prefixLength, gateway: allocation.gateway,
                    names: Self.unique(names + attachment.aliases)))
            }
            let stale = (previous?.interfaces ?? []).filter { old in !interfaces.contains { $0.hostVeth == old.hostVeth } }
            for old in stale where !interfaces.contains(where: { $0.network == old.network }) {
                s.ipam.release(owner: containerID, network: old.network)
            }
            s.containers[containerID] = ContainerRecord(
                id: containerID, netnsPath: netnsPath, names: names, attachments: attachments, ports: resolvedPorts,
                dnsSettings: dns, interfaces: interfaces, phase: .creating, boundHostsFile: hostsFile ?? previous?.boundHostsFile,
                standby: standby ? true : nil)
            try save(s)

            let host = LinkClient(transport: env.host)
            for old in stale { try host.deleteLink(old.hostVeth) }
            let inside = LinkClient(transport: try env.namespace(netnsPath))
            if let lo = try inside.link(named: "lo") { try inside.setUp(lo.index, name: "lo in \(netnsPath)") }
            let defaultIndex = resolved.firstIndex { !$0.0.network.isInternal } ?? 0
            for (index, interface) in interfaces.enumerated() {
                let bridge = resolved[index].0.bridge
                try plug(interface, bridge: bridge, netnsPath: netnsPath, host: host, inside: inside, defaultRoute: index == defaultIndex)
            }
            try applyRules(s, removing: [], what: "add published ports of container \(containerID)")
            s.containers[containerID]!.phase = .ready
            try save(s)
            try writeNameFiles(s, changed: containerID)
            return interfaces
        }
    }

    /// Attaches a container again with what its last `attach` recorded (networks, aliases, ports, names, DNS):
    /// a stopped container keeps its record and addresses until `detach`, so `bosun start` gets the same ones back.
    @discardableResult
    public func reattach(containerID: String, netnsPath: String) throws(NetworkError) -> [InterfaceState] {
        guard let record = reading({ $0.containers[containerID] }) else {
            throw NetworkError(.notFound, "attach container \(containerID) again: it has no network attachment on record")
        }
        return try attach(containerID: containerID, netnsPath: netnsPath, attachments: record.attachments, ports: record.ports,
                          names: record.names, dns: record.dnsSettings, hostsFile: record.boundHostsFile)
    }

    /// The ports published for a container, with the host ports chosen for ephemeral ones and ranges (none
    /// while it is standby).
    public func publishedPorts(containerID: String) -> [PortMapping] {
        reading { s in s.containers[containerID].map { $0.serves ? $0.ports : [] } ?? [] }
    }

    /// Whether the container serves: its ports are published and its peers resolve its names (true for a
    /// container without an attachment: it has nothing to serve through).
    public func isServing(containerID: String) -> Bool {
        reading { $0.containers[containerID]?.serves ?? true }
    }

    /// A start-first update's switch: the standby container `containerID` takes the published ports (the same
    /// host ports `old` had, for ephemeral ones and ranges) and the names of `old`, which becomes standby — one
    /// nftables transaction, so a new connection reaches one or the other and never neither; connections `old`
    /// has keep reaching it (conntrack). Peers' hosts files are rewritten in place. False when `containerID`
    /// already serves (nothing changes).
    public func takeOver(containerID: String, from old: String?) throws(NetworkError) -> Bool {
        try withState { s throws(NetworkError) -> Bool in
            guard var record = s.containers[containerID], !record.serves else { return false }
            let old = old.flatMap { s.containers[$0] }
            let others = s.publishedPorts(except: [containerID] + (old.map { [$0.id] } ?? []))
            record.ports = try Self.portPicker(env).resolve(record.ports, previous: old?.serves == true ? old?.ports ?? [] : [], taken: others)
            record.standby = nil
            s.containers[containerID] = record
            if let old { s.containers[old.id]?.standby = true }
            try save(s)
            let what = "move the published ports" + (old.map { " of container \($0.id)" } ?? "") + " to container \(containerID)"
            try applyRules(s, removing: old.map { [NftRuleset.containerChain($0.id)] } ?? [], what: what)
            try writeNameFiles(s, changed: containerID, networks: Set(old?.interfaces.map(\.network) ?? []))
            return true
        }
    }

    static func portPicker(_ env: Environment) -> HostPortPicker {
        HostPortPicker(isBindable: env.hostCanBind, ephemeralRange: env.ephemeralPorts())
    }

    /// Brings up only `lo` in a namespace (`network_mode: none`).
    public func attachLoopbackOnly(netnsPath: String) throws(NetworkError) {
        let inside = LinkClient(transport: try env.namespace(netnsPath))
        guard let lo = try inside.link(named: "lo") else { throw NetworkError(.notFound, "find lo in \(netnsPath)") }
        try inside.setUp(lo.index, name: "lo in \(netnsPath)")
    }

    /// The namespace to join for `network_mode: container:ID` / `service:…`: the recorded namespace path of
    /// that container.
    public func netnsPath(ofContainer id: String) throws(NetworkError) -> String {
        guard let path = reading({ $0.containers[id]?.netnsPath }) else {
            throw NetworkError(.notFound, "join the network namespace of container \(id): it is not attached")
        }
        return path
    }

    /// Removes a container's veth pairs, published ports, addresses and name files, and drops its names from
    /// its peers' hosts files. An unknown container is not an error.
    public func detach(containerID: String) throws(NetworkError) {
        try withState { s throws(NetworkError) in
            guard s.containers[containerID] != nil else { return }
            s.containers[containerID]!.phase = .removing
            try save(s)
            try finishDetaching(&s, containerID)
        }
    }

    /// The file to bind-mount at `/etc/hosts` in the container (rewritten in place as peers change).
    public func hostsPath(containerID: String) -> String { "\(stateDirectory)/containers/\(stableHash(containerID))/hosts" }
    /// The file to bind-mount at `/etc/resolv.conf` in the container.
    public func resolvConfPath(containerID: String) -> String { "\(stateDirectory)/containers/\(stableHash(containerID))/resolv.conf" }

    // MARK: internals

    func finishDetaching(_ s: inout NetworkStateFile, _ id: String) throws(NetworkError) {
        guard let record = s.containers[id] else { return }
        let host = LinkClient(transport: env.host)
        for interface in record.interfaces { try host.deleteLink(interface.hostVeth) }
        s.containers[id] = nil
        s.ipam.release(owner: id)
        try applyRules(s, removing: [NftRuleset.containerChain(id)], what: "remove published ports of container \(id)")
        try save(s)
        try? FileManager.default.removeItem(atPath: (hostsPath(containerID: id) as NSString).deletingLastPathComponent)
        try writeNameFiles(s, changed: nil, networks: Set(record.interfaces.map(\.network)))
    }

    private func plug(_ interface: InterfaceState, bridge: String, netnsPath: String, host: LinkClient, inside: LinkClient,
                      defaultRoute: Bool) throws(NetworkError) {
        guard let bridgeLink = try host.link(named: bridge) else {
            throw NetworkError(.notFound, "attach to network \(interface.network): bridge \(bridge) is missing", hint: "ensure the network first")
        }
        let existing = try host.link(named: interface.hostVeth)
        var peer = try inside.link(named: interface.interface)
        if existing == nil || existing?.master != bridgeLink.index || peer == nil {
            try host.deleteLink(interface.hostVeth)
            if peer != nil { try inside.deleteLink(interface.interface) }
            let fd = open(netnsPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw NetworkError(.notFound, "open network namespace \(netnsPath)", errno: errno) }
            defer { close(fd) }
            try host.createVeth(host: interface.hostVeth, peer: interface.interface, peerNamespaceFD: fd, master: bridgeLink.index, mtu: nil,
                                peerMAC: Self.hardwareAddress(for: interface.address))
            peer = try inside.link(named: interface.interface)
        }
        guard let hostLink = try host.link(named: interface.hostVeth), let peer else {
            throw NetworkError(.netlink, "create veth \(interface.hostVeth): a side is missing after creation")
        }
        try host.setHairpin(hostLink.index, name: interface.hostVeth)
        if !hostLink.isUp { try host.setUp(hostLink.index, name: interface.hostVeth) }
        let where_ = "\(interface.interface) in \(netnsPath)"
        try inside.addAddress(interface.address, prefixLength: interface.prefixLength, index: peer.index, name: where_)
        if !peer.isUp { try inside.setUp(peer.index, name: where_) }
        if defaultRoute { try inside.addDefaultRoute(via: interface.gateway, index: peer.index, name: where_) }
    }

    /// The container interface's MAC address, made from its IPv4 address as Docker makes it (`02:42` and the
    /// four address bytes): a recreated container that gets its predecessor's address also gets its MAC, so
    /// its peers' ARP caches stay right instead of sending to a MAC that is gone for up to a minute.
    public static func hardwareAddress(for address: IPv4Address) -> [UInt8] { [0x02, 0x42] + address.bytes }

    static func resolve(_ reference: String, in s: NetworkStateFile) throws(NetworkError) -> NetworkRecord {
        if let record = s.networks[reference] { return record }
        let byKey = s.networks.values.filter { $0.network.key == reference }
        guard byKey.count == 1 else {
            throw NetworkError(byKey.isEmpty ? .notFound : .invalidConfig,
                               byKey.isEmpty ? "attach to network \(reference): no such network" : "attach to network \(reference): the key names several networks; use the host name",
                               hint: byKey.isEmpty ? "ensure the network first" : nil)
        }
        return byKey[0]
    }

    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Rewrites the hosts files of `changed` and of every container sharing a network with it (or attached
    /// to one of `networks`), and `changed`'s resolv.conf.
    func writeNameFiles(_ s: NetworkStateFile, changed: String?, networks: Set<String> = []) throws(NetworkError) {
        var affected = networks
        if let changed, let record = s.containers[changed] { affected.formUnion(record.interfaces.map(\.network)) }
        for record in s.containers.values.sorted(by: { $0.id < $1.id }) {
            let mine = Set(record.interfaces.map(\.network))
            guard record.id == changed || !mine.isDisjoint(with: affected) else { continue }
            let own = record.interfaces.map { ContainerDNSFiles.Entry(address: $0.address.description, names: $0.names) }
            var peers: [ContainerDNSFiles.Entry] = []
            for other in s.containers.values where other.id != record.id && other.serves {
                for interface in other.interfaces where mine.contains(interface.network) {
                    peers.append(ContainerDNSFiles.Entry(address: interface.address.description, names: interface.names))
                }
            }
            let hosts = try ContainerDNSFiles.hosts(own: own, peers: peers, extraHosts: record.dnsSettings.extraHosts)
            let path = hostsPath(containerID: record.id)
            try FileWriter.makeDirectory((path as NSString).deletingLastPathComponent)
            try FileWriter.inPlace(Array(hosts.utf8), to: path)
            // The container's bound copy, rewritten in place (a bind mount follows the inode), if it still exists.
            if let bound = record.boundHostsFile, access(bound, F_OK) == 0 {
                try FileWriter.inPlace(Array(hosts.utf8), to: bound)
            }
            if record.id == changed {
                let resolv = ContainerDNSFiles.resolvConf(dns: record.dnsSettings.dns, dnsSearch: record.dnsSettings.dnsSearch,
                                                          hostResolvConf: env.hostResolvConf())
                try FileWriter.inPlace(Array(resolv.utf8), to: resolvConfPath(containerID: record.id))
            }
        }
    }
}
