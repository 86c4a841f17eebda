import Foundation
import Testing
import BosunTestSupport

/// Repository files a service reads reach its container, as root on the real kernel: a commit that changes a
/// bind-mounted file recreates exactly the service that mounts it (the plan names the file) and the new
/// container reads the new content; a commit that changes other files changes nothing; an old commit's
/// export being pruned never empties a running container's files.
@Suite("repository files end to end", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RepositoryFilesEndToEndTests {
    static let compose = """
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            volumes: ["./conf/app.conf:/etc/app.conf:ro", "./site:/srv/site:ro", "./run.sh:/run.sh:ro"]
            env_file: web.env
            network_mode: none
            stop_grace_period: 1s
          other:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            network_mode: none
            stop_grace_period: 1s
        """

    func git(_ arguments: [String], in directory: String) throws { try TestGit.run(arguments, in: directory) }

    func write(_ text: String, _ path: String, executable: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, executable ? 0o755 : 0o644)
    }

    func exec(_ state: String, _ container: String, _ command: String...) throws -> String {
        let result = try BosunBinary.run(["exec", "--state-dir", state, container, "--"] + command)
        #expect(result.status == 0, "\(command): \(result.stderr)")
        return result.stdout
    }

    @Test("a changed bind-mounted file reaches a new container; other commits change nothing; old exports never empty a container")
    func filesReachContainers() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let dir = "/var/tmp/bosun-files-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "rf" + UUID().uuidString.prefix(6).lowercased()
        let base = repo + "/" + project
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try git(["init", "-q", "-b", "main"], in: repo)
        try write(Self.compose, base + "/compose.yaml")
        try write("listen 8080\n", base + "/conf/app.conf")
        try write("<h1>one</h1>\n", base + "/site/index.html")
        try write("body {}\n", base + "/site/css/site.css")
        try write("#!/bin/sh\necho ran\n", base + "/run.sh", executable: true)
        try write("MODE=one\n", base + "/web.env")
        try write("notes\n", base + "/README.md")
        try git(["add", "-A"], in: repo)
        try git(["commit", "-q", "-m", "A"], in: repo)
        let first = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let web = "\(project)-web-1", other = "\(project)-other-1"
        #expect(try exec(state, web, "cat", "/etc/app.conf") == "listen 8080\n")
        #expect(try exec(state, web, "/run.sh") == "ran\n", "an executable file of the repository stays executable")

        // A commit that changes only other files: no operation.
        try write("more notes\n", base + "/README.md")
        try git(["commit", "-q", "-am", "notes"], in: repo)
        let unchanged = try BosunBinary.run(["plan", "--repo", repo, "--state-dir", state])
        #expect(unchanged.stdout.contains("No changes"), "\(unchanged.stdout)")

        // The mounted file changes: the plan names it, only web is recreated, and it reads the new content.
        try write("listen 9090\n", base + "/conf/app.conf")
        try git(["commit", "-q", "-am", "conf"], in: repo)
        let plan = try BosunBinary.run(["plan", "--repo", repo, "--state-dir", state])
        #expect(plan.stdout.contains("recreate \(project)/web  (./conf/app.conf changed)"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("\(project)/other"))
        let otherPid = try exec(state, other, "sh", "-c", "echo $PPID")
        #expect(try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state]).status == 0)
        #expect(try exec(state, web, "cat", "/etc/app.conf") == "listen 9090\n")
        #expect(try exec(state, other, "sh", "-c", "echo $PPID") == otherPid)

        // A file inside the mounted directory, then the env_file.
        try write("body { color: red }\n", base + "/site/css/site.css")
        try git(["commit", "-q", "-am", "css"], in: repo)
        let css = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(css.stdout.contains("./site changed"), "\(css.stdout)")
        #expect(try exec(state, web, "cat", "/srv/site/css/site.css") == "body { color: red }\n")
        try write("MODE=two\n", base + "/web.env")
        try git(["commit", "-q", "-am", "env"], in: repo)
        let env = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        #expect(env.stdout.contains("./web.env changed"), "\(env.stdout)")
        #expect(try exec(state, web, "sh", "-c", "echo $MODE") == "two\n")

        // Many commits later (every old export pruned), the running container still reads its files.
        for index in 0..<7 {
            try write("notes \(index)\n", base + "/README.md")
            try git(["commit", "-q", "-am", "notes \(index)"], in: repo)
            #expect(try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state]).status == 0)
        }
        #expect(try exec(state, web, "cat", "/etc/app.conf") == "listen 9090\n")
        #expect(try exec(state, web, "cat", "/srv/site/index.html") == "<h1>one</h1>\n")
        let exports = try FileManager.default.contentsOfDirectory(atPath: state + "/sources/commits").filter { !$0.hasPrefix(".") }
        #expect(exports.count <= 5)
    }
}
