import Foundation
import Testing

/// Compose `security_opt` on a converged service, for real: a seccomp profile file from the repository (it
/// used to fail at creation, "not supported yet"), no-new-privileges asked for, and Docker's defaults otherwise.
@Suite("service security options end to end", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ServiceSecurityOptionTests {
    @Test("a repository seccomp profile and no-new-privileges apply to the service; another service keeps Docker's defaults")
    func profileFromTheRepository() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let dir = "/var/tmp/bosun-secopt-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", repo = dir + "/repo"
        let project = "so" + UUID().uuidString.prefix(6).lowercased()
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: repo + "/" + project, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try #"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#
            .write(toFile: repo + "/\(project)/no-mkdir.json", atomically: true, encoding: .utf8)
        try """
            name: \(project)
            services:
              strict:
                image: localhost:5000/bosun/busybox:1.35
                command: ["sleep", "1000"]
                security_opt: ["seccomp=./no-mkdir.json", "no-new-privileges:true"]
                network_mode: none
                stop_grace_period: 1s
              plain:
                image: localhost:5000/bosun/busybox:1.35
                command: ["sleep", "1000"]
                network_mode: none
                stop_grace_period: 1s
            """.write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try TestGit.run(["init", "-q", "-b", "main"], in: repo)
        try TestGit.run(["add", "-A"], in: repo)
        try TestGit.run(["commit", "-q", "-m", "one"], in: repo)
        let applied = try BosunBinary.run(["apply", "--repo", repo, "--state-dir", state])
        try #require(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        func exec(_ service: String, _ script: String) throws -> String {
            try BosunBinary.run(["exec", "--state-dir", state, "\(project)-\(service)-1", "--", "/bin/busybox", "sh", "-c", script + " 2>&1"]).stdout
        }
        #expect(try exec("strict", "/bin/busybox mkdir /tmp/x").contains("Operation not permitted"))
        #expect(try exec("strict", "/bin/busybox grep NoNewPrivs: /proc/self/status") == "NoNewPrivs:\t1\n")
        #expect(try exec("plain", "/bin/busybox mkdir /tmp/x && echo made") == "made\n")
        #expect(try exec("plain", "/bin/busybox grep NoNewPrivs: /proc/self/status") == "NoNewPrivs:\t0\n")
    }
}
