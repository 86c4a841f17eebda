import BosunModel
import Foundation

typealias BosunModelNetwork = BosunModel.Network

extension NetworkManager {
    /// Compares the recorded networks and containers with the kernel: bridges present and up, veths present
    /// and ports of their bridge, and every chain of table `ip bosun` holding the rules it should.
    public func observe() throws(NetworkError) -> [Drift] {
        try withState { s throws(NetworkError) -> [Drift] in
            var drift: [Drift] = []
            let links = try LinkClient(transport: env.host).links()
            let byName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for record in s.networks.values.sorted(by: { $0.network.name < $1.network.name }) {
                guard let bridge = byName[record.bridge] else {
                    drift.append(.bridgeMissing(network: record.network.name, bridge: record.bridge))
                    continue
                }
                if !bridge.isUp { drift.append(.bridgeDown(network: record.network.name, bridge: record.bridge)) }
            }
            for record in s.containers.values.sorted(by: { $0.id < $1.id }) {
                for interface in record.interfaces {
                    guard let veth = byName[interface.hostVeth] else {
                        drift.append(.vethMissing(container: record.id, network: interface.network, veth: interface.hostVeth))
                        continue
                    }
                    let bridge = s.networks[interface.network].flatMap { byName[$0.bridge] }
                    if veth.master == nil || veth.master != bridge?.index {
                        drift.append(.vethDetached(container: record.id, network: interface.network, veth: interface.hostVeth))
                    }
                }
            }
            guard let listing = try env.nft.listTableJSON(s.tableName) else {
                return drift + [.nftTableMissing]
            }
            let actual = Self.ruleCounts(json: listing)
            for (chain, expected) in ruleset(s).ruleCounts.sorted(by: { $0.key < $1.key }) where actual[chain] != expected {
                drift.append(.nftChainDiffers(chain: chain, expectedRules: expected, actualRules: actual[chain]))
            }
            return drift
        }
    }

    /// Finishes what a crash interrupted: removals are completed, half-made attachments undone (the runtime
    /// attaches again when it starts the container), half-made networks completed by `ensureNetwork`.
    public func recover() throws(NetworkError) {
        let pendingNetworks = try withState { s throws(NetworkError) -> [BosunModelNetwork] in
            for record in s.containers.values where record.phase != .ready {
                try finishDetaching(&s, record.id)
            }
            for record in s.networks.values where record.phase == .removing {
                try finishRemovingNetwork(&s, record.network.name)
            }
            return s.networks.values.filter { $0.phase == .creating }.map(\.network)
        }
        for network in pendingNetworks { _ = try ensureNetwork(network) }
    }

    /// Builds again a recorded network whose bridge is gone — after a host reboot `network.json` survives but the
    /// bridge, its address and sysctls, `ip_forward` and the nftables table do not — with `ensureNetwork` (same
    /// subnet, then every rule written again). Nothing when the bridge is there. `reference` is a network's host
    /// name or its unambiguous key, as in `attach`.
    public func ensureBridge(of reference: String) throws(NetworkError) {
        let missing = try withState { s throws(NetworkError) -> BosunModelNetwork? in
            let record = try Self.resolve(reference, in: s)
            return try LinkClient(transport: env.host).link(named: record.bridge) == nil ? record.network : nil
        }
        if let missing { _ = try ensureNetwork(missing) }
    }

    /// Rules per chain in `nft -j list table` output.
    static func ruleCounts(json: String) -> [String: Int] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let items = object["nftables"] as? [[String: Any]] else { return [:] }
        var counts: [String: Int] = [:]
        for item in items {
            if let chain = item["chain"] as? [String: Any], let name = chain["name"] as? String { counts[name, default: 0] += 0 }
            if let rule = item["rule"] as? [String: Any], let name = rule["chain"] as? String { counts[name, default: 0] += 1 }
        }
        return counts
    }
}
