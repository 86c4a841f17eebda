import Foundation
import Testing

@Suite("bosun agent and sync: start-up errors")
struct AgentCommandTests {
    @Test("a bad config exits 2 with every error at file:line:column, before anything starts")
    func badConfig() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/config.yaml"
        try """
            repo: https://git.example.com/ops/hosts.git
            interval: 500ms
            drift: fix
            webhook: {listen: 127.0.0.1:9099}
            credentials: {token: abc}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try BosunBinary.run(["agent", "--config", config, "--state-dir", dir + "/state"])
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").map(String.init) == [
            "\(config):2:11: error: `interval` must be at least 1s, not 500ms",
            "\(config):3:8: error: `drift` is enforce or observe, not fix",
            "\(config):4:10: error: `webhook` needs `secret_file`: unsigned webhooks are refused",
            "\(config):5:15: error: `credentials.token` would put a secret in the config; use `token_file` naming a file only root can read",
            "bosun: 4 errors in \(config); the agent did not start",
        ], "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/state"), "nothing was started")
        let missing = try BosunBinary.run(["agent", "--config", dir + "/nope.yaml"])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the config \(dir)/nope.yaml: no such file"))
    }

    @Test("sync without a running agent exits 3 and says how to check it")
    func syncWithoutAgent() throws {
        let run = try BosunBinary.run(["sync", "--socket", "/var/tmp/bosun-no-agent-\(UUID().uuidString.prefix(8)).sock"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("connect to the agent at") && run.stderr.contains("is `bosun agent` running"))
    }
}
