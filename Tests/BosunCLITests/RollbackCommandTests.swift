import Foundation
import Testing
import BosunTestSupport

/// Automatic rollback on real containers, from a git repository: a commit whose container dies within its
/// monitor is quarantined and the project converged back to the last good commit — its files too — then left
/// alone until a commit changes it.
@Suite("apply's rollback and quarantine (root)", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RollbackCommandTests {
    static func compose(command: String) -> String {
        """
        x-bosun: {update_config: {monitor: 2s}}
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "\(command)"]
            volumes: ["./index.txt:/index.txt:ro"]
            network_mode: none
            stop_grace_period: 1s
        """
    }

    func git(_ arguments: [String], in directory: String) throws { try TestGit.run(arguments, in: directory) }

    func commit(_ repo: String, _ project: String, command: String, index: String, message: String) throws {
        try Self.compose(command: command).write(toFile: "\(repo)/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try index.write(toFile: "\(repo)/\(project)/index.txt", atomically: true, encoding: .utf8)
        try git(["add", "-A"], in: repo)
        try git(["commit", "-q", "-m", message], in: repo)
    }

    func read(_ state: String, _ container: String) throws -> String {
        let result = try BosunBinary.run(["exec", "--state-dir", state, container, "--", "cat", "/index.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test("a bad commit is rolled back (exit 5) with its files, quarantined and left alone; a fixed commit releases it")
    func rollback() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let dir = "/var/tmp/bosun-rollback-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "rb" + UUID().uuidString.prefix(6).lowercased()
        let web = "\(project)-web-1"
        defer {
            _ = try? BosunBinary.run(["down", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: "\(repo)/\(project)", withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try git(["init", "-q", "-b", "main"], in: repo)
        try commit(repo, project, command: "sleep 1000", index: "one\n", message: "good")
        let first = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")

        // The bad commit: new content, and a command that dies after a second.
        try commit(repo, project, command: "sleep 1; echo broken; exit 1", index: "two\n", message: "bad")
        let bad = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(bad.status == 5, "\(bad.stdout)\n\(bad.stderr)")
        #expect(bad.stdout.contains("gate FAILED  \(project)/web"), "\(bad.stdout)")
        #expect(bad.stdout.contains("quarantined  \(project) at commit"), "\(bad.stdout)")
        #expect(bad.stdout.contains("rollback (trigger rollback):"), "\(bad.stdout)")
        #expect(bad.stdout.contains("rolled-back: "), "\(bad.stdout)")
        #expect(try read(state, web) == "one\n", "the rolled-back container binds the good commit's file")
        // The rollback started the container the bad commit's recreate kept aside: no create, the same container.
        #expect(bad.stdout.contains("restore \(project)/web  (its kept container \(web) has the desired configuration)"), "\(bad.stdout)")
        #expect(!bad.stdout.contains("+   create \(project)/web"), "\(bad.stdout)")
        let ps = try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state]).stdout
        #expect(ps.split(separator: "\n").count == 1 && ps.contains("\"id\":\"\(web)\""), "only the restored container, under its own id: \(ps)")

        // Left alone: the same commit converges the good state (nothing to do), and says why.
        let again = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(again.status == 5, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stderr.contains("\(project) runs its last good state, not this commit"), "\(again.stderr)")
        #expect(again.stderr.contains("project \(project) is quarantined at commit"), "\(again.stderr)")
        #expect(again.stdout.contains("no-change"), "\(again.stdout)")
        let status = try BosunBinary.run(["status", "--state-dir", state, "--no-probe"])
        #expect(status.stdout.contains("QUARANTINED commit"), "\(status.stdout)")
        #expect(status.stdout.contains("\(project)/web (monitor): it exited with code 1"), "\(status.stdout)")
        let history = try BosunBinary.run(["history", "--state-dir", state])
        #expect(history.stdout.contains("failed, quarantined \(project)"), "\(history.stdout)")
        #expect(history.stdout.contains("rolled-back"), "\(history.stdout)")

        // The fix: a new desired state for the project ends the quarantine.
        try commit(repo, project, command: "sleep 1000", index: "three\n", message: "fixed")
        let fixed = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(fixed.status == 0, "\(fixed.stdout)\n\(fixed.stderr)")
        #expect(fixed.stderr.contains("the quarantine of project \(project) ends: its desired state changed"), "\(fixed.stderr)")
        #expect(try read(state, web) == "three\n")
        let after = try BosunBinary.run(["status", "--state-dir", state, "--no-probe", "--json"])
        #expect(after.stdout.contains(#""quarantine":null"#), "\(after.stdout)")

        // bosun rollback: back to the previous good state (the first commit's), pinned there until --retry.
        let manual = try BosunBinary.run(["rollback", "--repo", repo, "--state-dir", state])
        #expect(manual.status == 0, "\(manual.stdout)\n\(manual.stderr)")
        #expect(manual.stdout.contains("rolled-back: "), "\(manual.stdout)")
        #expect(try read(state, web) == "one\n")
        let pinned = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(pinned.status == 5 && pinned.stdout.contains("no-change"), "\(pinned.stdout)\n\(pinned.stderr)")
        #expect(pinned.stderr.contains("asked: bosun rollback"), "\(pinned.stderr)")
        let retried = try BosunBinary.run(["apply", "--retry", "--repo", repo, "--state-dir", state])
        #expect(retried.status == 0, "\(retried.stdout)\n\(retried.stderr)")
        #expect(retried.stderr.contains("ends: asked to retry"), "\(retried.stderr)")
        #expect(try read(state, web) == "three\n")
        let refused = try BosunBinary.run(["rollback", "--repo", repo, "--state-dir", state, "--project", "nosuch"])
        #expect(refused.status == 1 && refused.stderr.contains("the journal has no convergence of project nosuch"), "\(refused.stderr)")
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }
}
