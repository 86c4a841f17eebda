import Foundation
import Testing
import BosunTestSupport

/// Issue 8's end-to-end test, as root on the real kernel: a git repository's commit A converged (three
/// services, a network, a volume, limits, health checks, a depends_on service_healthy), then commit B changes
/// one service's environment and another's memory limit: exactly one recreate and one in-place update, the
/// third untouched. Then `bosun down` leaves nothing behind.
@Suite("convergence end to end", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ConvergenceEndToEndTests {
    static func compose(project: String, mode: String, appMemory: String, withDB: Bool = true) -> String {
        let db = """
          db:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "touch /data/ready; exec sleep 1000"]
            volumes: [data:/data]
            networks: [back]
            healthcheck: {test: ["CMD-SHELL", "test -f /data/ready"], interval: 1s, start_interval: 1s, retries: 5}
            mem_limit: 64m
            stop_grace_period: 1s

        """
        return """
        name: \(project)
        services:
        \(withDB ? db : "")  app:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "echo mode=$$MODE; exec sleep 1000"]
            environment: {MODE: \(mode)}
            networks: [back]
            depends_on: \(withDB ? "{db: {condition: service_healthy}}" : "[]")
            mem_limit: 64m
            stop_grace_period: 1s
          cache:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            networks: [back]
            mem_limit: \(appMemory)
            init: true
        networks:
          back: {}
        \(withDB ? "volumes:\n  data: {}" : "")
        """
    }

    func git(_ arguments: [String], in directory: String) throws { try TestGit.run(arguments, in: directory) }

    func containers(_ state: String) throws -> [String: [String: Any]] {
        let listed = try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state])
        var result: [String: [String: Any]] = [:]
        for line in listed.stdout.split(separator: "\n") {
            if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let name = object["name"] as? String {
                result[name] = object
            }
        }
        return result
    }

    @Test("commit A converges; commit B recreates one service and updates another in place; down removes everything")
    func commitsAThenB() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let dir = "/var/tmp/bosun-e2e-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "e2e" + UUID().uuidString.prefix(6).lowercased()
        try FileManager.default.createDirectory(atPath: repo + "/\(project)", withIntermediateDirectories: true)
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try git(["init", "-q", "-b", "main"], in: repo)
        try Self.compose(project: project, mode: "one", appMemory: "32m").write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try git(["add", "-A"], in: repo)
        try git(["commit", "-q", "-m", "A"], in: repo)

        let first = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("converged: 8 succeeded, 0 failed, 0 skipped"), "\(first.stdout)")
        let before = try containers(state)
        let names = ["db", "app", "cache"].map { "\(project)-\($0)-1" }
        for name in names { #expect(before[name]?["state"] as? String == "running", "\(name): \(before[name] ?? [:])") }
        let logs = try BosunBinary.run(["logs", "--state-dir", state, "\(project)-app-1"])
        #expect(logs.stdout.contains("mode=one"))
        // The volume was filled by db and app's dependency on db's health held until then.
        #expect(FileManager.default.fileExists(atPath: state + "/volumes/\(project)_data/_data/ready"))

        let status = try BosunBinary.run(["status", "--state-dir", state, "--json"])
        #expect(status.status == 0, "\(status.stdout)\n\(status.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let projects = try #require(report["projects"] as? [[String: Any]])
        let entries = try #require(projects.first { $0["name"] as? String == project }?["containers"] as? [[String: Any]])
        #expect(entries.count == 3 && entries.allSatisfy { $0["state"] as? String == "running" })
        #expect(entries.first { $0["service"] as? String == "db" }?["health"] as? String == "healthy")
        #expect((report["last_applied"] as? [String: Any])?["commit"] as? String != nil)

        // Commit B: app's environment (recreate) and cache's memory limit (in place).
        try Self.compose(project: project, mode: "two", appMemory: "48m").write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "B"], in: repo)
        let plan = try BosunBinary.run(["plan", "--repo", repo, "--state-dir", state])
        #expect(plan.stdout.contains("0 to create, 0 to start, 1 to update in place, 1 to recreate, 1 to remove"), "\(plan.stdout)")
        let second = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("recreate \(project)/app"))
        #expect(second.stdout.contains("update-limits \(project)/cache"))
        let after = try containers(state)
        // db untouched, cache the same process with its new limit, app a new process.
        #expect(after[names[0]]?["pid"] as? Int == before[names[0]]?["pid"] as? Int)
        #expect(after[names[2]]?["pid"] as? Int == before[names[2]]?["pid"] as? Int)
        #expect(after[names[1]]?["pid"] as? Int != before[names[1]]?["pid"] as? Int)
        let limit = try String(contentsOfFile: "/sys/fs/cgroup/memory/bosun/\(names[2])/memory.limit_in_bytes", encoding: .utf8)
        #expect(limit.trimmingCharacters(in: .whitespacesAndNewlines) == "\(48 << 20)")
        #expect(try BosunBinary.run(["logs", "--state-dir", state, names[1]]).stdout.contains("mode=two"))
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)

        // Commit C removes db (and its volume's declaration): db is pruned, the volume and its data kept.
        try Self.compose(project: project, mode: "two", appMemory: "48m", withDB: false)
            .write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "C"], in: repo)
        let third = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(third.status == 0, "\(third.stdout)\n\(third.stderr)")
        #expect(third.stdout.contains("remove \(project)/db"), "\(third.stdout)")
        let pruned = try containers(state)
        #expect(pruned[names[0]] == nil)
        #expect(FileManager.default.fileExists(atPath: state + "/volumes/\(project)_data/_data/ready"))
        // The same commit twenty times changes nothing.
        for _ in 0..<20 {
            let again = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state, "--json"])
            #expect(again.status == 0 && again.stdout.contains("\"outcome\":\"no-change\""), "\(again.stdout)")
        }
        let still = try containers(state)
        for name in names.dropFirst() { #expect(still[name]?["pid"] as? Int == pruned[name]?["pid"] as? Int) }

        let down = try BosunBinary.run(["down", "--volumes", "--state-dir", state])
        #expect(down.status == 0, "\(down.stdout)\n\(down.stderr)")
        #expect(try containers(state).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: state + "/volumes/\(project)_data"))
        for name in names { #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/bosun/\(name)")) }
    }
}
