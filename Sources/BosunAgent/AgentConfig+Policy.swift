import BosunModel
import BosunYAML

extension AgentConfig {
    /// `policy: {level: restricted|baseline|privileged, allow: {host_paths: […], capabilities: […], devices: […]}}`.
    static func policy(_ node: YAMLNode, fail: (YAMLNode, String) -> Void, string: (YAMLNode, String) -> String?) -> HostPolicy {
        var policy = HostPolicy()
        guard let pairs = node.mapping else {
            fail(node, "`policy` must be a mapping with `level` and `allow`")
            return policy
        }
        for pair in pairs {
            switch pair.key.scalar ?? "" {
            case "level":
                guard let text = string(pair.value, "policy.level") else { continue }
                if let level = HostPolicy.Level(rawValue: text) { policy.level = level } else {
                    fail(pair.value, "`policy.level` is restricted, baseline or privileged, not \(text)")
                }
            case "allow":
                guard let allowances = pair.value.mapping else {
                    fail(pair.value, "`policy.allow` must be a mapping with host_paths, capabilities and devices")
                    continue
                }
                for allowance in allowances {
                    let key = allowance.key.scalar ?? ""
                    let items = list(allowance.value, "policy.allow.\(key)", fail: fail)
                    switch key {
                    case "host_paths":
                        for (item, node) in items where !item.hasPrefix("/") { fail(node, "`policy.allow.host_paths` entries are absolute paths, not \(item)") }
                        policy.allow.hostPaths = items.map(\.0).filter { $0.hasPrefix("/") }
                    case "capabilities": policy.allow.capabilities = items.map(\.0)
                    case "devices":
                        for (item, node) in items where !item.hasPrefix("/dev/") { fail(node, "`policy.allow.devices` entries are device paths under /dev, not \(item)") }
                        policy.allow.devices = items.map(\.0)
                    default: fail(allowance.key, "unknown policy.allow setting `\(key)`; known: capabilities, devices, host_paths")
                    }
                }
            default: fail(pair.key, "unknown policy setting `\(pair.key.scalar ?? "?")`; known: allow, level")
            }
        }
        return policy
    }

    static func list(_ node: YAMLNode, _ key: String, fail: (YAMLNode, String) -> Void) -> [(String, YAMLNode)] {
        guard let items = node.sequence else {
            fail(node, "`\(key)` must be a list")
            return []
        }
        return items.compactMap { item in
            guard let text = item.scalar, !item.isNull, !text.isEmpty else {
                fail(item, "`\(key)` entries must be non-empty strings")
                return nil
            }
            return (text, item)
        }
    }
}
