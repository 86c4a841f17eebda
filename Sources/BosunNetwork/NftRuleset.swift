/// bosun's nftables table as data, built from the recorded networks and containers. Rendering it gives one
/// transaction that recreates every chain's rules; removed objects' chains are deleted in the same one.
/// bosun touches no table but its state directory's (`NetworkStateFile.tableName`: `ip bosun` for the default
/// state directory, `ip bosun-<scope>` for others), so two state directories never rewrite each other's rules.
struct NftRuleset: Sendable, Hashable {
    /// The table, e.g. `ip bosun`.
    var table = "ip bosun"

    /// A network's view for NAT and filtering.
    struct NetworkRules: Sendable, Hashable {
        var bridge: String
        var subnet: IPv4Subnet
        var isInternal: Bool
    }

    /// A published port after address allocation.
    struct Publish: Sendable, Hashable {
        var hostIP: IPv4Address?
        var hostPort: Int
        var transport: String
        var containerIP: IPv4Address
        var containerPort: Int
    }

    struct Chain: Sendable, Hashable {
        var name: String
        var definition: String?
        var rules: [String]
    }

    var networks: [NetworkRules]
    /// Published ports by container id.
    var containers: [String: [Publish]]

    static func networkChains(_ bridge: String) -> [String] { ["n-\(bridge)-post", "n-\(bridge)-fwd"] }
    static func containerChain(_ id: String) -> String { "c-\(stableHash(id))" }

    /// Every chain with its rules, base chains first.
    var chains: [Chain] {
        let sortedNetworks = networks.sorted { $0.bridge < $1.bridge }
        let sortedContainers = containers.keys.sorted().filter { !(containers[$0] ?? []).isEmpty }
        var base = [
            Chain(name: "prerouting", definition: "type nat hook prerouting priority dstnat; policy accept;",
                  rules: ["fib daddr type local jump publish"]),
            Chain(name: "output", definition: "type nat hook output priority -100; policy accept;",
                  rules: ["fib daddr type local jump publish"]),
            Chain(name: "postrouting", definition: "type nat hook postrouting priority srcnat; policy accept;",
                  rules: sortedNetworks.map { "jump n-\($0.bridge)-post" }),
            Chain(name: "forward", definition: "type filter hook forward priority filter; policy accept;",
                  rules: ["ct status dnat accept"] + sortedNetworks.map { "jump n-\($0.bridge)-fwd" }),
            // The bridges have route_localnet (DNAT of published 127.0.0.1 ports needs it), so a container could
            // send packets to the host's 127.0.0.1-only services through its gateway (CVE-2020-8558's class):
            // from a bridge, 127.0.0.0/8 is reached only by replies of connections DNATed to a container.
            Chain(name: "input", definition: "type filter hook input priority filter; policy accept;",
                  rules: sortedNetworks.flatMap { network in
                      ["iifname \"\(network.bridge)\" ip daddr 127.0.0.0/8 ct status dnat accept",
                       "iifname \"\(network.bridge)\" ip daddr 127.0.0.0/8 drop"]
                  }),
            Chain(name: "publish", definition: nil, rules: sortedContainers.map { "jump \(Self.containerChain($0))" }),
        ]
        for network in sortedNetworks {
            let b = "\"\(network.bridge)\""
            var post = [
                "oifname \(b) ip saddr 127.0.0.0/8 masquerade",
                "oifname \(b) ip saddr \(network.subnet) ct status dnat masquerade",
            ]
            var forward = ["iifname \(b) oifname \"bsn-*\" oifname != \(b) drop"]
            if network.isInternal {
                forward += ["iifname \(b) oifname != \(b) drop", "oifname \(b) iifname != \(b) drop"]
            } else {
                // Into the network from elsewhere: published ports (DNATed, accepted by the base chain) and
                // replies to connections its containers opened; a neighbour routing the subnet through this
                // host reaches no unpublished port.
                forward += ["oifname \(b) iifname != \(b) ct state established,related accept", "oifname \(b) iifname != \(b) drop"]
                post.append("ip saddr \(network.subnet) oifname != \(b) masquerade")
            }
            base.append(Chain(name: "n-\(network.bridge)-post", definition: nil, rules: post))
            base.append(Chain(name: "n-\(network.bridge)-fwd", definition: nil, rules: forward))
        }
        for id in sortedContainers {
            let rules = containers[id]!.sorted { ($0.hostPort, $0.transport) < ($1.hostPort, $1.transport) }.map { p in
                let daddr = p.hostIP.map { "ip daddr \($0) " } ?? ""
                return "\(daddr)\(p.transport) dport \(p.hostPort) dnat to \(p.containerIP):\(p.containerPort)"
            }
            base.append(Chain(name: Self.containerChain(id), definition: nil, rules: rules))
        }
        return base
    }

    /// One transaction: creates the table and chains if needed, replaces every chain's rules, and deletes
    /// the chains in `removing` (chains of networks and containers that are gone).
    func script(removing: [String] = []) -> String {
        let all = chains
        var lines = ["add table \(table)"]
        for chain in all {
            if let definition = chain.definition {
                lines.append("add chain \(table) \(chain.name) { \(definition) }")
            } else {
                lines.append("add chain \(table) \(chain.name)")
            }
            lines.append("flush chain \(table) \(chain.name)")
        }
        let kept = Set(all.map(\.name))
        for name in removing where !kept.contains(name) {
            lines += ["add chain \(table) \(name)", "flush chain \(table) \(name)", "delete chain \(table) \(name)"]
        }
        for chain in all {
            for rule in chain.rules { lines.append("add rule \(table) \(chain.name) \(rule)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Expected rule count per chain, for drift detection.
    var ruleCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: chains.map { ($0.name, $0.rules.count) })
    }
}

/// FNV-1a, 32 bits, as 8 hex digits: stable names for links and chains derived from longer names.
func stableHash(_ text: String) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in text.utf8 {
        hash ^= UInt32(byte)
        hash = hash &* 16_777_619
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
}
