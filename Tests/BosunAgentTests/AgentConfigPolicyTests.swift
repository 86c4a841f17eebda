import BosunAgent
import BosunModel
import Testing

/// The host's policy in the agent config.
@Suite("Agent configuration: policy")
struct AgentConfigPolicyTests {
    @Test("level and allowances read into the policy; baseline without a policy")
    func reads() throws {
        let config = try AgentConfig.parse("""
            repo: /srv/git/hosts.git
            policy:
              level: restricted
              allow:
                host_paths: [/srv/media, /var/run/docker.sock]
                capabilities: [NET_ADMIN]
                devices: [/dev/dri/renderD128]
            """, file: "c.yaml")
        #expect(config.policy == HostPolicy(level: .restricted, allow: .init(hostPaths: ["/srv/media", "/var/run/docker.sock"],
                                                                            capabilities: ["NET_ADMIN"], devices: ["/dev/dri/renderD128"])))
        #expect(try AgentConfig.parse("repo: /r\n", file: "c.yaml").policy == HostPolicy(level: .baseline))
    }

    @Test("mistakes are located")
    func mistakes() {
        let text = """
            repo: /r
            policy:
              level: lax
              allow:
                host_paths: [srv]
                devices: [/etc/passwd]
                sockets: [/run/x]
              extra: 1
            """
        #expect {
            try AgentConfig.parse(text, file: "c.yaml")
        } throws: { error in
            let messages = (error as? AgentConfigErrors)?.errors.map(\.description) ?? []
            return messages == [
                "c.yaml:3:10: `policy.level` is restricted, baseline or privileged, not lax",
                "c.yaml:5:18: `policy.allow.host_paths` entries are absolute paths, not srv",
                "c.yaml:6:15: `policy.allow.devices` entries are device paths under /dev, not /etc/passwd",
                "c.yaml:7:5: unknown policy.allow setting `sockets`; known: capabilities, devices, host_paths",
                "c.yaml:8:3: unknown policy setting `extra`; known: allow, level",
            ]
        }
    }
}
