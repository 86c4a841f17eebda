import Foundation
import Testing

@Suite("bosun validate and render")
struct ValidateCommandTests {
    @Test("the example manifests are valid: exit 0 and a one-line summary")
    func exampleIsValid() throws {
        let outcome = try BosunBinary.run(["validate", "--path", "manifests"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "valid: 1 project, 4 services\n")
        #expect(outcome.stderr == "")
    }

    @Test("invalid manifests: exit 1, compiler-style errors with paths from the current directory")
    func invalid() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/web", withIntermediateDirectories: true)
        try "services:\n  web:\n    image: nginx\n    mem_limit: 1m\n".write(toFile: dir + "/web/compose.yaml", atomically: true, encoding: .utf8)
        let outcome = try BosunBinary.run(["validate", "--path", "."], directory: dir)
        #expect(outcome.status == 1)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr == """
            web/compose.yaml:4:16: error: memory limit 1m is below the minimum of 6m
             4 |     mem_limit: 1m
               |                ^
               = hint: give the container at least 6m
            bosun: 1 error; nothing was changed

            """)
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try BosunBinary.run(["validate", "--no-such-flag"]).status == 2)
        #expect(try BosunBinary.run(["validate", "--ref", "main"]).status == 2)
    }

    @Test("a source that cannot be read exits 3")
    func missingSource() throws {
        let outcome = try BosunBinary.run(["validate", "--path", "/nonexistent/manifests"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.hasPrefix("bosun: cannot read the source: /nonexistent/manifests: no such directory"))
    }

    @Test("render prints every service with its config hash, the same on every run")
    func render() throws {
        let first = try BosunBinary.run(["render", "--path", "manifests", "--format", "json"])
        #expect(first.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let projects = try #require(json["projects"] as? [[String: Any]])
        let services = try #require(projects.first?["services"] as? [[String: Any]])
        #expect(services.count == 4)
        #expect(services.allSatisfy { ($0["config_hash"] as? String)?.hasPrefix("sha256:") == true })
        #expect(try BosunBinary.run(["render", "--path", "manifests", "--format", "json"]).stdout == first.stdout)
        let yaml = try BosunBinary.run(["render", "--path", "manifests"])
        #expect(yaml.status == 0)
        #expect(yaml.stdout.contains("config_hash: \"sha256:"))
    }

    @Test("validate --repo reads a commit of a git repository without a checkout, into a 0700 state directory")
    func gitRepository() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = dir + "/repo"
        try FileManager.default.createDirectory(atPath: repo + "/deploy/app", withIntermediateDirectories: true)
        try "services:\n  app: {image: busybox}\n".write(toFile: repo + "/deploy/app/compose.yaml", atomically: true, encoding: .utf8)
        let git = "git -c user.name=t -c user.email=t@example.invalid -c init.defaultBranch=main"
        try BosunBinary.shell("\(git) init -q && \(git) add -A && \(git) commit -q -m 'first deploy'", in: repo)
        let commit = try BosunBinary.shell("git rev-parse HEAD", in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        let state = dir + "/state"
        let outcome = try BosunBinary.run(["validate", "--repo", "file://" + repo, "--path", "deploy", "--state-dir", state])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "valid: 1 project, 1 service at \(commit.prefix(12)) (refs/heads/main)\n")
        var info = stat()
        #expect(stat(state, &info) == 0 && info.st_mode & 0o777 == 0o700)
        // Nothing was checked out: the mirror is bare.
        let mirrors = try FileManager.default.contentsOfDirectory(atPath: state + "/git")
        #expect(mirrors.count == 1)
        #expect(!FileManager.default.fileExists(atPath: state + "/git/" + mirrors[0] + "/deploy"))
        let rendered = try BosunBinary.run(["render", "--repo", repo, "--path", "deploy", "--state-dir", state, "--format", "json"])
        #expect(rendered.stdout.contains("\"commit_id\""))
        #expect(rendered.stdout.contains("first deploy"))
    }
}

@Suite("bosun plan")
struct PlanCommandTests {
    @Test("the example on a fresh host: every image pulled, networks and volumes made, containers in order")
    func plan() throws {
        let state = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let outcome = try BosunBinary.run(["plan", "--path", "manifests", "--state-dir", state])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Plan: 8 to create, 4 to start, 0 to update in place, 0 to recreate, 0 to remove.")
        #expect(lines.contains("#0 +   pull image:localhost:5000/bosun/busybox:1.35  (image not present)"))
        #expect(lines.contains("#11 ~   start demo/web  (new container)  after #10"))
        // Then the gate each new container passes after the operations.
        #expect(lines.contains("Gates, after the operations (a failure ends the convergence failed; on failure rollback, from a repository, the project returns to its last good commit):"))
        #expect(lines.contains { $0.hasPrefix("  demo/migrate  must exit 0; order stop-first (a named volume mounted read-write (dbdata))") })
        #expect(lines.last?.hasPrefix("  demo/web  must start, be healthy if it has a check, and keep running for 10s") == true)
        let json = try BosunBinary.run(["plan", "--path", "manifests", "--state-dir", state, "--json"])
        #expect(json.stdout.hasPrefix("{\"hash\":\"sha256:"))
    }
}
