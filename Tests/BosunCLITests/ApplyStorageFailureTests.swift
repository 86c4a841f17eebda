import Foundation
import Testing

/// A journal that cannot be written (a full state filesystem; here its head file blocked by a directory) ends
/// `bosun apply` with bosun's own message and exit code 4, not ArgumentParser's `Error:` and 1 (found by
/// `make chaos`, full state filesystem).
@Suite("apply with an unwritable journal", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ApplyStorageFailureTests {
    @Test("a journal write failure is exit 4 with a bosun: message")
    func journalWriteFailure() throws {
        try #require(getuid() == 0, "convergence needs root (CI runs as root)")
        let dir = "/var/tmp/bosun-applyfail-\(UUID().uuidString.prefix(8))"
        let state = dir + "/state", manifests = dir + "/manifests"
        let project = "af" + UUID().uuidString.prefix(6).lowercased()
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        defer {
            _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        try """
        name: \(project)
        services:
          svc:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            network_mode: none
            stop_grace_period: 1s
        """.write(toFile: manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: state + "/journal/head.json/blocked", withIntermediateDirectories: true)

        let applied = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(applied.status == 4, "\(applied.stdout)\n\(applied.stderr)")
        #expect(applied.stderr.hasPrefix("bosun: "), "\(applied.stderr)")
        #expect(applied.stderr.contains("head.json"), "\(applied.stderr)")
    }
}
