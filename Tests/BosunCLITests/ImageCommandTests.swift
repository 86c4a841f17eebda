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

    @Test("prune keeps the layers of an image a container runs, though its reference was removed")
    func pruneKeepsLayersInUse() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.layout(in: dir)
        let state = dir + "/state", name = "pinned-\(getpid())"
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let run = try BosunBinary.run(["run", "-d", "--network", "none", "--name", name, "--state-dir", state, "localhost:5000/bosun/busybox:1.35", "sleep", "1000"])
        try #require(run.status == 0, "\(run.stderr)")
        defer { _ = try? BosunBinary.run(["rm", "-f", name, "--state-dir", state]) }
        #expect(try BosunBinary.run(["image", "rm", "localhost:5000/bosun/busybox:1.35", "--state-dir", state]).status == 0)
        for _ in 0..<2 {  // twice: the first prune keeps what the second needs to know the layers
            let pruned = try BosunBinary.run(["image", "prune", "--state-dir", state])
            #expect(pruned.stdout.hasPrefix("removed 0 snapshots"), "\(pruned.stdout)\(pruned.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/images/snapshots").contains { !$0.hasSuffix(".tree") && !$0.hasPrefix(".") })
        #expect(try BosunBinary.run(["exec", "--state-dir", state, name, "--", "true"]).status == 0, "the container still runs on its layers")
        // After a reboot (its overlay gone) it starts again from its own image, by digest, its reference gone.
        #expect(try BosunBinary.run(["stop", "-t", "1", name, "--state-dir", state]).status == 0)
        #expect(umount2(state + "/containers/\(name)/bundle/rootfs", Int32(MNT_DETACH)) == 0)
        let started = try BosunBinary.run(["start", name, "--state-dir", state, "--socket", dir + "/no-agent.sock"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(try BosunBinary.run(["exec", "--state-dir", state, name, "--", "true"]).status == 0)
        #expect(try BosunBinary.run(["rm", "-f", name, "--state-dir", state]).status == 0)
        let after = try BosunBinary.run(["image", "prune", "--state-dir", state])
        #expect(after.stdout.hasPrefix("removed 1 snapshots"), "once the container is gone, its layers go: \(after.stdout)")
    }
}
