import BosunTestSupport
import Foundation
import Testing

/// Only signed commits converge (issue 21): the agent with `verify: {signatures: tip}` converges a signed
/// commit, rejects an unsigned one pushed after it — the host keeps running the signed state, the journal has
/// a `rejected` record naming the commit, logged once — and converges the next signed commit; `bosun apply`
/// with the flags refuses a commit signed by a key the allowed-signers file does not list.
@Suite("signed commits (root)", .serialized)
struct SignedCommitTests {
    static func compose(_ project: String, _ command: String) -> String {
        """
        name: \(project)
        x-bosun: {update_config: {monitor: 1s}}
        services:
          svc:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "\(command)"]
            network_mode: none
            stop_grace_period: 1s
        """
    }

    /// An ed25519 key in `dir`; returns the public key file.
    static func key(_ dir: String, _ name: String) throws -> String {
        let made = try BosunBinary.run(program: "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", "\(dir)/\(name)"])
        try #require(made.status == 0, "\(made.stderr)")
        return "\(dir)/\(name).pub"
    }

    @Test("the agent converges a signed commit, rejects an unsigned one after it (nothing changes, journaled, logged once), converges the next signed one")
    func agentVerifiesTip() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let agent = try AgentFixture()
        defer { agent.close() }
        let signer = try Self.key(agent.dir, "signer")
        let allowed = agent.dir + "/allowed_signers"
        try ("t@example.org " + String(contentsOfFile: signer, encoding: .utf8)).write(toFile: allowed, atomically: true, encoding: .utf8)
        try agent.commit(Self.compose(agent.project, "echo one; exec sleep 1000"), message: "signed one", signingKey: signer)
        try agent.start(extra: "verify:\n  signatures: tip\n  allowed_signers: \(allowed)\n")
        try agent.waitForLog("trigger=startup", "outcome=converged")
        let pid = try agent.pid("svc")

        let unsigned = try agent.commit(Self.compose(agent.project, "echo two; exec sleep 1000"), message: "unsigned two")
        try agent.eventually("the unsigned commit rejected") {
            agent.journalRecords(kind: "end").contains { ($0["body"] as? [String: Any])?["outcome"] as? String == "rejected" }
        }
        Thread.sleep(forTimeInterval: 3)  // three more polls
        let rejections = agent.journalRecords(kind: "end").compactMap { $0["body"] as? [String: Any] }.filter { $0["outcome"] as? String == "rejected" }
        let reason = rejections.first?["reason"] as? String ?? ""
        #expect(reason.contains("commit \(unsigned.prefix(12)) is refused by the signature policy") && reason.contains("not signed"), "\(reason)")
        let logged = agent.logLines("event=rejected", "is refused by the signature policy")
        #expect(logged.count == 1, "logged once, not at every poll:\n\(logged.joined(separator: "\n"))")
        #expect(try agent.pid("svc") == pid && agent.running("svc"), "the signed state keeps running")

        let three = try agent.commit(Self.compose(agent.project, "echo three; exec sleep 1000"), message: "signed three", signingKey: signer)
        try agent.eventually("the next signed commit converged") {
            agent.logLines("event=convergence", "outcome=converged", "commit=\(three.prefix(12))").count == 1
        }
        #expect(try agent.pid("svc") != pid)
        let begins = agent.journalRecords(kind: "begin").compactMap { $0["body"] as? [String: Any] }
        #expect(begins.last?["signer"] as? String == "t@example.org, key " + (try BosunBinary.run(program: "/usr/bin/ssh-keygen", ["-l", "-f", signer]).stdout.split(separator: " ")[1]),
                "the journal says who signed what converged")
        #expect((begins.last?["verify"] as? String)?.hasPrefix("tip, allowed signers \(allowed)") == true, "and under which settings")
    }

    @Test("bosun apply --verify-signatures tip: a commit signed by an unlisted key is refused (exit 3) with its key's fingerprint; a listed one converges")
    func applyRefusesAnUnknownKey() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let agent = try AgentFixture()  // for its repository, image and state directory; no agent is started
        defer { agent.close() }
        let signer = try Self.key(agent.dir, "signer"), stranger = try Self.key(agent.dir, "stranger")
        let allowed = agent.dir + "/allowed_signers"
        try ("t@example.org " + String(contentsOfFile: signer, encoding: .utf8)).write(toFile: allowed, atomically: true, encoding: .utf8)
        let flags = ["--repo", agent.repo, "--state-dir", agent.state, "--verify-signatures", "tip", "--allowed-signers", allowed]
        let foreign = try agent.commit(Self.compose(agent.project, "exec sleep 1000"), message: "stranger's", signingKey: stranger)
        let refused = try BosunBinary.run(["apply"] + flags)
        #expect(refused.status == 1, "\(refused.stdout)\n\(refused.stderr)")
        let fingerprint = try BosunBinary.run(program: "/usr/bin/ssh-keygen", ["-l", "-f", stranger]).stdout.split(separator: " ")[1]
        #expect(refused.stderr.contains("commit \(foreign.prefix(12)) is refused") && refused.stderr.contains(String(fingerprint)), "\(refused.stderr)")
        #expect(try BosunBinary.run(["ps", "-a", "--state-dir", agent.state]).stdout.split(separator: "\n").count <= 1, "nothing was created")
        let status = try BosunBinary.run(["status", "--state-dir", agent.state, "--no-probe"]).stdout
        #expect(status.contains("rejected") && status.contains("is refused by the signature policy"), "\(status)")
        try agent.commit(Self.compose(agent.project, "exec sleep 1001"), message: "signer's", signingKey: signer)
        let applied = try BosunBinary.run(["apply"] + flags)
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        let plan = try BosunBinary.run(["plan", "--repo", agent.repo, "--state-dir", agent.state, "--verify-signatures", "off"])
        #expect(plan.status == 0)
    }

    @Test("signatures: tag with ref v*: the newest tag by SemVer is taken; a lightweight one is refused, a signed annotated one converges")
    func applyVerifiesTags() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let agent = try AgentFixture()
        defer { agent.close() }
        let signer = try Self.key(agent.dir, "signer")
        let allowed = agent.dir + "/allowed_signers"
        try ("t@example.org " + String(contentsOfFile: signer, encoding: .utf8)).write(toFile: allowed, atomically: true, encoding: .utf8)
        func tag(_ name: String, signed: Bool) throws {
            try agent.git(signed ? ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(signer)", "tag", "-s", name, "-m", name] : ["tag", name])
        }
        let flags = ["--repo", agent.repo, "--ref", "v*", "--state-dir", agent.state, "--verify-signatures", "tag", "--allowed-signers", allowed]
        try agent.commit(Self.compose(agent.project, "echo one; exec sleep 1000"), message: "one")
        try tag("v1.2.0", signed: true)
        let first = try BosunBinary.run(["apply"] + flags)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        try agent.commit(Self.compose(agent.project, "echo two; exec sleep 1000"), message: "two")
        try tag("v1.10.0", signed: false)  // newer than v1.2.0 by SemVer, though not by text
        let light = try BosunBinary.run(["apply"] + flags)
        #expect(light.status == 1 && light.stderr.contains("tag v1.10.0") && light.stderr.contains("lightweight"), "\(light.stderr)")
        try tag("v1.11.0", signed: true)
        let signed = try BosunBinary.run(["apply"] + flags)
        #expect(signed.status == 0, "\(signed.stdout)\n\(signed.stderr)")
        #expect(try BosunBinary.run(["logs", "\(agent.project)-svc-1", "--state-dir", agent.state]).stdout == "two\n")
        // A ref renamed onto another signed tag's object is not that release.
        let tagObject = try BosunBinary.shell("git -C \(agent.repo) rev-parse refs/tags/v1.11.0", in: agent.dir).trimmingCharacters(in: .whitespacesAndNewlines)
        try agent.git(["update-ref", "refs/tags/v9.9.9", tagObject])
        let renamed = try BosunBinary.run(["apply"] + flags)
        #expect(renamed.status == 1 && renamed.stderr.contains("points at the tag object of tag v1.11.0"), "\(renamed.stderr)")
        try agent.git(["tag", "-d", "v9.9.9"])
        let recorded = agent.journalRecords(kind: "begin").compactMap { ($0["body"] as? [String: Any])?["signer"] as? String }.last ?? ""
        #expect(recorded.hasPrefix("t@example.org, key SHA256:") && recorded.hasSuffix(", tag v1.11.0"), "the signer and the tag are recorded: \(recorded)")
    }
}
