import Foundation
import Testing

@Suite("bosun apply", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ApplyCommandTests {
    // No networks here: bosun's nftables table is one per host, and the network tests own it while they run.
    @Test("apply converges volumes, journals each convergence, refuses a stale plan hash, and changes nothing twice")
    func volumes() throws {
        try #require(getuid() == 0, "apply manages volumes owned by root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state", project = dir + "/infra"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try "name: infra\nservices: {}\nvolumes: {data: {}, cache: {}}\n".write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)

        let plan = try BosunBinary.run(["plan", "--path", project, "--state-dir", state])
        #expect(plan.status == 0, "\(plan.stderr)")
        let hash = try #require(plan.stdout.split(separator: "\n").first { $0.hasPrefix("plan sha256:") }?.dropFirst("plan ".count))
        let stale = try BosunBinary.run(["apply", "--path", project, "--state-dir", state, "--plan-hash", "sha256:" + String(repeating: "0", count: 64)])
        #expect(stale.status == 1 && stale.stderr.contains("the plan is now \(hash)"))

        let applied = try BosunBinary.run(["apply", "--path", project, "--state-dir", state, "--plan-hash", String(hash)])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("#0 ok      create-volume volume:infra_cache"))
        #expect(applied.stdout.hasSuffix("converged: 2 succeeded, 0 failed, 0 skipped (journal #2)\n"))
        #expect(FileManager.default.fileExists(atPath: state + "/volumes/infra_data/_data"))
        let inventory = try String(contentsOfFile: state + "/inventory.json", encoding: .utf8)
        #expect(inventory.contains("\"infra_data\"") && inventory.contains("\"project\" : \"infra\""))

        let again = try BosunBinary.run(["apply", "--path", project, "--state-dir", state, "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"outcome\":\"no-change\""))

        // A volume that disappears from git is kept, unless the project opts in.
        try "name: infra\nservices: {}\nvolumes: {data: {}}\n".write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)
        let kept = try BosunBinary.run(["apply", "--path", project, "--state-dir", state])
        #expect(kept.status == 0 && kept.stdout.hasPrefix("No changes"))
        try "name: infra\nx-bosun: {prune_volumes: true}\nservices: {}\nvolumes: {data: {}}\n".write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)
        let pruned = try BosunBinary.run(["apply", "--path", project, "--state-dir", state])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("remove-volume volume:infra_cache"))
        #expect(!FileManager.default.fileExists(atPath: state + "/volumes/infra_cache"))

        let history = try BosunBinary.run(["history", "--state-dir", state])
        #expect(history.stdout.split(separator: "\n").dropFirst().prefix(4).map { $0.split(separator: " ", omittingEmptySubsequences: true)[4] } == [
            "converged", "no-change", "no-change", "converged",
        ])
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }

    @Test("a state directory belongs to one source: apply from another is refused and journaled, --switch-source takes it over")
    func oneSource() throws {
        try #require(getuid() == 0, "apply manages volumes owned by root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state"
        for (name, volume) in [("a", "data"), ("b", "other")] {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            try "name: \(name)\nservices: {}\nvolumes: {\(volume): {}}\n".write(toFile: dir + "/\(name)/compose.yaml", atomically: true, encoding: .utf8)
        }
        #expect(try BosunBinary.run(["apply", "--path", dir + "/a", "--state-dir", state]).status == 0)
        let refused = try BosunBinary.run(["apply", "--path", dir + "/b", "--state-dir", state])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("belongs to directory \(dir)/a") && refused.stderr.contains("source is directory \(dir)/b")
                && refused.stderr.contains("--switch-source"), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: state + "/volumes/a_data/_data") && !FileManager.default.fileExists(atPath: state + "/volumes/b_other"))
        let plan = try BosunBinary.run(["plan", "--path", dir + "/b", "--state-dir", state])
        #expect(plan.status == 0 && plan.stderr.contains("bosun: warning: this state directory belongs to directory \(dir)/a"), "\(plan.stderr)")
        let switched = try BosunBinary.run(["apply", "--path", dir + "/b", "--state-dir", state, "--switch-source"])
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(FileManager.default.fileExists(atPath: state + "/volumes/b_other/_data"))
        // Now b's: a plain apply from b converges, one from a is refused.
        #expect(try BosunBinary.run(["apply", "--path", dir + "/b", "--state-dir", state]).status == 0)
        #expect(try BosunBinary.run(["apply", "--path", dir + "/a", "--state-dir", state]).status == 1)
        let history = try BosunBinary.run(["history", "--state-dir", state])
        #expect(history.stdout.split(separator: "\n").dropFirst().prefix(5).map { $0.split(separator: " ", omittingEmptySubsequences: true)[4] } == [
            "rejected", "no-change", "converged", "rejected", "converged",
        ], "\(history.stdout)")
        let journal = try String(contentsOfFile: state + "/journal/journal-000001.jsonl", encoding: .utf8)
        #expect(journal.contains("\"switched_from\":{\"location\":\"\(dir)/a\""))
        #expect(FileManager.default.fileExists(atPath: state + "/journal/applied-index.json"))
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }

    @Test("a failed pull skips what depends on it; bad manifests are journaled as rejected and change nothing")
    func failures() throws {
        try #require(getuid() == 0, "apply manages state owned by root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state", project = dir + "/web"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try """
            name: web
            services:
              app: {image: "127.0.0.1:9/bosun/absent:1", network_mode: none}
              worker: {image: "localhost:5000/bosun/busybox:1.35", network_mode: none, depends_on: [app]}
            """.write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)
        let failed = try BosunBinary.run(["apply", "--path", project, "--state-dir", state])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("#0 failed  pull image:127.0.0.1:9/bosun/absent:1"), "\(failed.stdout)")
        #expect(failed.stdout.contains("#3 skipped create web/worker"), "\(failed.stdout)")
        #expect(failed.stdout.hasSuffix("failed: 0 succeeded, 1 failed, 4 skipped (journal #2)\n"), "\(failed.stdout)")

        try "services:\n  app: {image: busybox, resart: always}\n".write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)
        let rejected = try BosunBinary.run(["apply", "--path", project, "--state-dir", state])
        #expect(rejected.status == 1 && rejected.stderr.contains("nothing applied (journaled as rejected)"))
        let show = try BosunBinary.run(["history", "--state-dir", state, "--outcome", "rejected", "--json"])
        #expect(show.stdout.contains("rejected"))
        #expect(try BosunBinary.run(["history", "--state-dir", state, "--outcome", "failed"]).stdout.contains("failed"))
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }
}
