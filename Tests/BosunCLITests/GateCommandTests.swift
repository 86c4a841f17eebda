import Foundation
import Testing

/// The health gate on real containers: apply waits for each new container's monitor, and a container that
/// dies within it fails the convergence — said by apply, in history and in the journal.
@Suite("apply's health gate (root)")
struct GateCommandTests {
    @Test("a service that exits within its monitor fails the apply; one that keeps running and a job that exits 0 pass")
    func gate() throws {
        try #require(getuid() == 0, "apply runs containers as root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        let state = dir + "/state", project = dir + "/gated"
        defer {
            _ = try? BosunBinary.run(["down", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try """
            name: gated
            x-bosun: {update_config: {monitor: 3s}}
            services:
              steady: {image: "localhost:5000/bosun/busybox:1.35", command: ["sleep", "1000"], network_mode: none, stop_grace_period: 1s}
              job: {image: "localhost:5000/bosun/busybox:1.35", command: ["true"], network_mode: none}
              flaky:
                image: "localhost:5000/bosun/busybox:1.35"
                command: ["sh", "-c", "echo starting; sleep 1; exit 3"]
                network_mode: none
                restart: "no"
            """.write(toFile: project + "/compose.yaml", atomically: true, encoding: .utf8)
        let applied = try BosunBinary.run(["apply", "--path", project, "--state-dir", state])
        #expect(applied.status == 1, "\(applied.stdout)\n\(applied.stderr)")
        #expect(applied.stdout.contains("gate passed  gated/steady (gated-steady-1"), "\(applied.stdout)")
        #expect(applied.stdout.contains("gate passed  gated/job (gated-job-1"), "\(applied.stdout)")
        #expect(applied.stdout.contains("gate FAILED  gated/flaky (gated-flaky-1, monitor"), "\(applied.stdout)")
        #expect(applied.stdout.contains("bosun: health gate failed: gated/flaky (monitor): it exited with code 3 within its 3s monitor"),
                "\(applied.stdout)")
        let seq = try #require(applied.stdout.range(of: #"journal #(\d+)"#, options: .regularExpression)
            .map { String(applied.stdout[$0].dropFirst("journal #".count)) })
        let shown = try BosunBinary.run(["history", "show", seq, "--state-dir", state])
        #expect(shown.stdout.contains("gated/flaky FAILED (monitor"), "\(shown.stdout)\n\(shown.stderr)")
        #expect(shown.stdout.contains("last probe output") == false, "no probe ran: no probe output")
        let status = try BosunBinary.run(["status", "--state-dir", state])
        #expect(status.stdout.contains("  health gate failed: gated/flaky (monitor): it exited with code 3 within its 3s monitor"), "\(status.stdout)")
        let listed = try BosunBinary.run(["history", "--json", "--state-dir", state])
        #expect(listed.stdout.contains(#"{"check":"monitor","passed":false,"resource":"gated/flaky"}"#), "\(listed.stdout)")
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).status == 0)
    }
}
