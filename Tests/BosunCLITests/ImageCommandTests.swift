import Foundation
import Testing

@Suite("bosun image", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct ImageCommandTests {
    /// An OCI layout of one gzip layer holding busybox, made with tar, gzip and sha256sum.
    static func layout(in dir: String) throws {
        try BosunBinary.shell("""
            set -e
            mkdir -p rootfs/bin oci/blobs/sha256 && cp /bin/busybox rootfs/bin/ && ln -s busybox rootfs/bin/sh
            tar -C rootfs --numeric-owner -cf layer.tar . && gzip -n -k layer.tar
            blob() { d=$(sha256sum "$1" | cut -d' ' -f1); cp "$1" oci/blobs/sha256/$d; echo $d; }
            size() { stat -c %s "$1"; }
            diff=$(sha256sum layer.tar | cut -d' ' -f1); layer=$(blob layer.tar.gz)
            printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' $diff > config.json
            config=$(blob config.json)
            printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' $config $(size config.json) $layer $(size layer.tar.gz) > manifest.json
            manifest=$(blob manifest.json)
            echo '{"imageLayoutVersion":"1.0.0"}' > oci/oci-layout
            printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"localhost:5000/bosun/busybox:1.35"}}]}' $manifest $(size manifest.json) > oci/index.json
            """, in: dir)
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
