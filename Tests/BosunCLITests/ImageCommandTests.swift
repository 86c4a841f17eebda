import Foundation
import Testing

@Suite("bosun image", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ImageCommandTests {
    /// An OCI layout of one gzip layer holding busybox (scripts/make-busybox-image).
    static func layout(in dir: String) throws {
        try BosunBinary.shell("\(BosunBinary.repositoryRoot)/scripts/make-busybox-image oci", in: dir)
    }

    @Test("import, list, inspect, remove and prune")
    func lifecycle() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.layout(in: dir)
        let state = dir + "/state"
        let imported = try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported localhost:5000/bosun/busybox:1.35 sha256:"))
        let list = try BosunBinary.run(["images", "--state-dir", state])
        #expect(list.stdout.contains("localhost:5000/bosun/busybox:1.35") && list.stdout.contains("linux/amd64"))
        #expect(try BosunBinary.run(["image", "inspect", "localhost:5000/bosun/busybox:1.35", "--state-dir", state]).stdout.contains("\"diffIDs\""))
        #expect(try BosunBinary.run(["image", "inspect", "nope:1", "--state-dir", state]).status == 1)
        // The example manifests use this image: pruning unused images keeps it.
        let kept = try BosunBinary.run(["image", "prune", "--unused", "--path", BosunBinary.repositoryRoot + "/manifests", "--state-dir", state])
        #expect(kept.stdout == "removed 0 snapshots and 0 blobs (0 B)\n", "\(kept.stderr)")
        #expect(try BosunBinary.run(["image", "rm", "localhost:5000/bosun/busybox:1.35", "--state-dir", state]).status == 0)
        let pruned = try BosunBinary.run(["image", "prune", "--state-dir", state])
        #expect(pruned.stdout.hasPrefix("removed 1 snapshots and 3 blobs"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/images/snapshots").isEmpty)
    }
}
