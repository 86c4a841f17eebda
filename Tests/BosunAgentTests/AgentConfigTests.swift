import BosunAgent
import BosunModel
import Testing

@Suite("Agent configuration")
struct AgentConfigTests {
    @Test("a full config reads into every field")
    func full() throws {
        let config = try AgentConfig.parse("""
            repo: https://git.example.org/ops/edge.git
            ref: main
            path: hosts/edge-1
            interval: 2m
            jitter: 0.25
            state_dir: /srv/bosun
            drift: observe
            drift_interval: 45s
            control_socket: /run/bosun/ctl.sock
            credentials:
              username: deploy
              token_file: /etc/bosun/token
              ca_file: /etc/bosun/ca.pem
            webhook:
              listen: 127.0.0.1:9099
              secret_file: /etc/bosun/webhook.secret
            """, file: "config.yaml")
        #expect(config.repository == "https://git.example.org/ops/edge.git" && config.ref == "main" && config.path == "hosts/edge-1")
        #expect(config.pollInterval == .seconds(120) && config.jitter == 0.25 && config.driftInterval == .seconds(45))
        #expect(config.stateDirectory == "/srv/bosun" && config.drift == .observe && config.controlSocket == "/run/bosun/ctl.sock")
        #expect(config.credentials.username == "deploy" && config.credentials.tokenFile == "/etc/bosun/token")
        #expect(config.webhook == AgentConfig.Webhook(listen: "127.0.0.1:9099", secretFile: "/etc/bosun/webhook.secret"))
    }

    @Test("defaults: poll every minute with 10% jitter, enforce drift, state in /var/lib/bosun")
    func defaults() throws {
        let config = try AgentConfig.parse("repo: /srv/git/hosts.git\n", file: "c.yaml")
        #expect(config.pollInterval == .seconds(60) && config.jitter == 0.1 && config.drift == .enforce)
        #expect(config.stateDirectory == "/var/lib/bosun" && config.path == "." && config.webhook == nil)
    }

    @Test("every mistake is reported at once with its line and column")
    func errors() {
        let text = """
            repo: /srv/git/x.git
            intervall: 10s
            jitter: 3
            drift: fix
            state_dir: relative/dir
            credentials:
              password: hunter2
            webhook:
              listen: 127.0.0.1:9099
            """
        #expect {
            try AgentConfig.parse(text, file: "/etc/bosun/config.yaml")
        } throws: { error in
            let messages = (error as? AgentConfigErrors)?.errors.map(\.description) ?? []
            return messages == [
                "/etc/bosun/config.yaml:2:1: unknown setting `intervall`; did you mean `interval`?",
                "/etc/bosun/config.yaml:3:9: `jitter` is a fraction of the interval between 0 and 1, not 3",
                "/etc/bosun/config.yaml:4:8: `drift` is enforce or observe, not fix",
                "/etc/bosun/config.yaml:5:12: `state_dir` must be an absolute path",
                "/etc/bosun/config.yaml:7:3: `credentials.password` would put a secret in the config; use `password_file` naming a file only root can read",
                "/etc/bosun/config.yaml:9:3: `webhook` needs `secret_file`: unsigned webhooks are refused",
            ]
        }
    }

    @Test("a missing repo, a YAML syntax error and a non-mapping are clear errors")
    func structure() {
        for (text, expected) in [
            ("interval: 10s\n", "c.yaml:1:1: `repo` is required"),
            ("repo: [unclosed\n", "c.yaml:2:1:"),
            ("- a\n- b\n", "c.yaml:1:1: the config must be a mapping of settings, not a list"),
            ("repo: /x\ninterval: 10ms\n", "c.yaml:2:11: `interval` must be at least 1s, not 10ms"),
        ] {
            #expect {
                try AgentConfig.parse(text, file: "c.yaml")
            } throws: { error in
                "\(error)".hasPrefix(expected)
            }
        }
    }
}
