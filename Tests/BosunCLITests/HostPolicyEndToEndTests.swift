import Foundation
import Testing

/// The attack of the security issue, for real: a repository whose service binds the host's root (and asks
/// for SYS_ADMIN, the host network) to write into the host's /tmp and read /etc/shadow. Under the default
/// policy nothing is created and the refusal is journaled; a flag cannot loosen a host's config; only the
/// host's own config can allow it.
@Suite("host policy end to end", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct HostPolicyEndToEndTests {
    @Test("a repository that takes the host is refused unless the host's config allows it")
    func theAttackIsRefused() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let dir = "/var/tmp/bosun-policy-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "pol" + UUID().uuidString.prefix(6).lowercased()
        let marker = "/tmp/bosun-pwned-\(project)"
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: marker)
        }
        try FileManager.default.createDirectory(atPath: repo + "/" + project, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try """
            name: \(project)
            services:
              takeover:
                image: localhost:5000/bosun/busybox:1.35
                command: ["sh", "-c", "echo pwned > /host\(marker); cat /host/etc/shadow > /dev/null && echo read-shadow; sleep 1000"]
                volumes: ["/:/host"]
                cap_add: [SYS_ADMIN]
                stop_grace_period: 1s
            """.write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try TestGit.run(["init", "-q", "-b", "main"], in: repo)
        try TestGit.run(["add", "-A"], in: repo)
        try TestGit.run(["commit", "-q", "-m", "takeover"], in: repo)

        // The default policy (baseline, no config): refused at the fields, nothing created, journaled.
        let refused = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state, "--agent-config", dir + "/absent.yaml"])
        #expect(refused.status == 2, "an absent --agent-config is a usage error: \(refused.stderr)")
        let applied = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(applied.status == 1, "\(applied.stdout)\n\(applied.stderr)")
        #expect(applied.stderr.contains("compose.yaml:6:") && applied.stderr.contains("host path / is outside the data directories policy level baseline allows"), "\(applied.stderr)")
        #expect(applied.stderr.contains("compose.yaml:7:") && applied.stderr.contains("cap_add SYS_ADMIN is not allowed at policy level baseline"), "\(applied.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the container wrote into the host's /tmp")
        let listed = try BosunBinary.run(["ps", "-a", "--state-dir", state])
        #expect(!listed.stdout.contains("takeover"), "\(listed.stdout)")
        /// The last convergence in full (`history` lists the newest first, its seq in the first column).
        func lastConvergence() throws -> String {
            let list = try BosunBinary.run(["history", "--state-dir", state]).stdout
            let seq = list.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init) ?? "0"
            return try BosunBinary.run(["history", "show", seq, "--state-dir", state]).stdout
        }
        let history = try lastConvergence()
        #expect(history.contains("policy    baseline") && history.contains("rejected"), "\(history)")
        #expect(try BosunBinary.run(["validate", "--repo", repo, "--state-dir", state]).status == 1)
        #expect(try BosunBinary.run(["validate", "--repo", repo, "--state-dir", state, "--policy", "privileged"]).status == 0)

        // A host whose config says baseline: a flag cannot loosen it.
        let config = dir + "/config.yaml"
        try "repo: \(repo)\npolicy: {level: baseline}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let loosened = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state, "--agent-config", config, "--allow-privileged"])
        #expect(loosened.status == 2 && loosened.stderr.contains("flags may only tighten it"), "\(loosened.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))

        // Only the host's own config lets it through: the policy is the one gate.
        try "repo: \(repo)\npolicy: {level: privileged}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let allowed = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state, "--agent-config", config])
        #expect(allowed.status == 0, "\(allowed.stdout)\n\(allowed.stderr)")
        var written = false
        for _ in 0..<50 where !written {
            written = FileManager.default.fileExists(atPath: marker)
            if !written { usleep(100_000) }
        }
        #expect(written, "with the host's consent the service runs as written")
        let logs = try BosunBinary.run(["logs", "--state-dir", state, "\(project)-takeover-1"])
        #expect(logs.stdout.contains("read-shadow") || !written, "\(logs.stdout)")
        #expect(try lastConvergence().contains("policy    privileged"))
    }
}
