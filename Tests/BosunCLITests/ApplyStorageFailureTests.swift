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
        let fixture = try OneServiceProject("applyfail")
        defer { fixture.cleanUp() }
        let state = fixture.state, manifests = fixture.manifests
        try FileManager.default.createDirectory(atPath: state + "/journal/head.json/blocked", withIntermediateDirectories: true)

        let applied = try BosunBinary.run(["apply", "--path", manifests, "--state-dir", state])
        #expect(applied.status == 4, "\(applied.stdout)\n\(applied.stderr)")
        #expect(applied.stderr.hasPrefix("bosun: "), "\(applied.stderr)")
        #expect(applied.stderr.contains("head.json"), "\(applied.stderr)")
    }
}
