import BosunArchive
import BosunImageSpec
import BosunImageStore
import Crypto
import Foundation
import Testing
import BosunTestSupport

/// Writes OCI image layouts and docker-save archives for tests.
struct LayoutBuilder {
    let directory: String

    static func sha(_ bytes: [UInt8]) -> String { "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    func blob(_ bytes: [UInt8]) throws -> String {
        let digest = LayoutBuilder.sha(bytes)
        try FileManager.default.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/blobs/sha256/" + digest.dropFirst(7)))
        return digest
    }

    static func gzip(_ bytes: [UInt8], scratch: String) throws -> [UInt8] {
        let path = scratch + "/gz-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-n", path]
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
    }

    /// A two-layer busybox-like image; returns the manifest digest.
    func write(name: String) throws -> String {
        var base = TarBuilder()
        base.add("bin/", type: UInt8(ascii: "5"), mode: 0o755)
        base.add("bin/tool", data: Array("v1".utf8), mode: 0o755)
        base.add("etc/old", data: [1])
        let baseTar = base.finish()
        var top = TarBuilder()
        top.add("bin/tool", data: Array("v2".utf8), mode: 0o755)
        top.add("etc/.wh.old")
        let topTar = top.finish()
        var layers: [String] = []
        for tar in [baseTar, topTar] {
            let gz = try LayoutBuilder.gzip(tar, scratch: directory)
            layers.append(#"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(try blob(gz))","size":\#(gz.count)}"#)
        }
        let config = Array(#"{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/tool"]},"rootfs":{"type":"layers","diff_ids":["\#(LayoutBuilder.sha(baseTar))","\#(LayoutBuilder.sha(topTar))"]}}"#.utf8)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(try blob(config))","size":\#(config.count)},"layers":[\#(layers.joined(separator: ","))]}"#.utf8)
        let manifestDigest = try blob(manifest)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: directory + "/oci-layout", atomically: true, encoding: .utf8)
        try #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(manifestDigest)","size":\#(manifest.count),"annotations":{"io.containerd.image.name":"\#(name)"}}]}"#
            .write(toFile: directory + "/index.json", atomically: true, encoding: .utf8)
        return manifestDigest
    }
}

@Suite("Image import and snapshots", .enabled(if: RootGate.enabled))
struct ImageImportTests {
    func scratch() throws -> String {
        let path = "/tmp/bosun-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/layout", withIntermediateDirectories: true)
        return path
    }

    @Test("an OCI layout imports; each layer is unpacked once, verified against its diff ID")
    func layout() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let manifestDigest = try LayoutBuilder(directory: dir + "/layout").write(name: "localhost:5000/demo/tool:1")
        let store = try ImageStore(root: dir + "/images")
        let importer = ImageImporter(store: store, platform: .linux(machine: "x86_64"))
        let records = try importer.importImages(from: dir + "/layout", reference: nil)
        #expect(records.map(\.reference) == ["localhost:5000/demo/tool:1"])
        #expect(records.first?.manifestDigest.description == manifestDigest)
        let snapshots = try store.ensureSnapshots(try #require(records.first))
        #expect(snapshots.count == 2)
        #expect(try String(contentsOfFile: snapshots[0] + "/bin/tool", encoding: .utf8) == "v1")
        #expect(try String(contentsOfFile: snapshots[1] + "/bin/tool", encoding: .utf8) == "v2")
        var info = stat()
        #expect(lstat(snapshots[1] + "/etc/old", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        // A second image sharing the base layer does not unpack it again.
        let before = try FileManager.default.attributesOfItem(atPath: snapshots[0])[.creationDate] as? Date
        _ = try importer.importImages(from: dir + "/layout", reference: "localhost:5000/demo/tool:again")
        _ = try store.ensureSnapshots(try #require(try store.record("localhost:5000/demo/tool:again")))
        #expect(try FileManager.default.attributesOfItem(atPath: snapshots[0])[.creationDate] as? Date == before)
        #expect(store.snapshots().count == 2)
        #expect(try store.records().count == 2)
    }

    @Test("importing an image again repairs a blob damaged in the store")
    func repairsDamagedBlob() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try LayoutBuilder(directory: dir + "/layout").write(name: "x/y:1")
        let store = try ImageStore(root: dir + "/images")
        let importer = ImageImporter(store: store, platform: .linux(machine: "x86_64"))
        _ = try importer.importImages(from: dir + "/layout", reference: nil)
        let stored = store.blobs.all()
        let victim = try #require(stored.max { (try? Data(contentsOf: URL(fileURLWithPath: store.blobs.path($0))).count) ?? 0 < (try? Data(contentsOf: URL(fileURLWithPath: store.blobs.path($1))).count) ?? 0 })
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: store.blobs.path(victim))))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: store.blobs.path(victim)))
        #expect(!store.blobs.containsIntact(victim))
        _ = try importer.importImages(from: dir + "/layout", reference: nil)
        #expect(store.blobs.containsIntact(victim))
        #expect(Set(store.blobs.all()) == Set(stored))
    }

    @Test("a corrupted blob in the layout is refused and not stored")
    func corrupted() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try LayoutBuilder(directory: dir + "/layout").write(name: "x/y:1")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: dir + "/layout/blobs/sha256")
        // Damage the biggest blob (a layer) without changing its size.
        let biggest = try #require(blobs.max { (try? FileManager.default.attributesOfItem(atPath: dir + "/layout/blobs/sha256/" + $0)[.size] as? Int ?? 0)! < (try? FileManager.default.attributesOfItem(atPath: dir + "/layout/blobs/sha256/" + $1)[.size] as? Int ?? 0)! })
        let path = dir + "/layout/blobs/sha256/" + biggest
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let store = try ImageStore(root: dir + "/images")
        #expect(throws: (any Error).self) { try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/layout", reference: nil) }
        #expect(!store.blobs.all().contains { $0.hex == biggest })
        #expect(try store.records().isEmpty)
    }

    @Test("a docker save archive imports")
    func dockerSave() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var layer = TarBuilder()
        layer.add("hello", data: Array("world".utf8))
        let layerTar = layer.finish()
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(LayoutBuilder.sha(layerTar))"]}}"#.utf8)
        var archive = TarBuilder()
        archive.add("abc/layer.tar", data: layerTar)
        archive.add("cfg.json", data: config)
        archive.add("manifest.json", data: Array(#"[{"Config":"cfg.json","RepoTags":["busybox:saved"],"Layers":["abc/layer.tar"]}]"#.utf8))
        try Data(archive.finish()).write(to: URL(fileURLWithPath: dir + "/saved.tar"))
        let store = try ImageStore(root: dir + "/images")
        let records = try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/saved.tar", reference: nil)
        #expect(records.map(\.reference) == ["docker.io/library/busybox:saved"])
        let snapshots = try store.ensureSnapshots(records[0])
        #expect(try String(contentsOfFile: snapshots[0] + "/hello", encoding: .utf8) == "world")
    }
}

/// `bosun image import` of archives crafted to read host files: every name in an archive is opened inside the
/// unpacked archive only, and the errors never describe a host file.
@Suite("archive import stays inside the archive", .enabled(if: RootGate.enabled))
struct ArchiveEscapeTests {
    /// A docker save archive whose manifest.json names `layers` (with a symlink entry `link.tar` → `linkTarget`).
    static func dockerSave(layers: [String], config: String = "cfg.json", linkTarget: String? = nil, manifestLink: String? = nil) -> [UInt8] {
        var layer = TarBuilder()
        layer.add("hello", data: Array("world".utf8))
        let layerTar = layer.finish()
        var archive = TarBuilder()
        archive.add("good.tar", data: layerTar)
        archive.add("cfg.json", data: Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        if let linkTarget { archive.add("link.tar", type: UInt8(ascii: "2"), link: linkTarget) }
        let names = layers.map { "\"\($0)\"" }.joined(separator: ",")
        if let manifestLink {
            archive.add("manifest.json", type: UInt8(ascii: "2"), link: manifestLink)
        } else {
            archive.add("manifest.json", data: Array(#"[{"Config":"\#(config)","RepoTags":["evil:1"],"Layers":[\#(names)]}]"#.utf8))
        }
        return archive.finish()
    }

    @Test("names that leave the archive, absolute names and symlinks are refused; no host file is read or described")
    func escapesAreRefused() throws {
        try RootGate.require()
        let dir = "/tmp/bosun-escape-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A host file standing in for /etc/shadow, beside the store (the import unpacks under <store>/tmp/…).
        let secret = Array("root:$6$planted-secret-hash:19000:0:99999:7:::\n".utf8)
        try Data(secret).write(to: URL(fileURLWithPath: dir + "/shadow"))
        let secretDigest = LayoutBuilder.sha(secret)
        let cases: [(String, [UInt8])] = [
            ("a layer named ../ up to the host file", Self.dockerSave(layers: ["good.tar", "../../../shadow"])),
            ("a layer named ../../../../../../etc/shadow", Self.dockerSave(layers: ["../../../../../../../../etc/shadow"])),
            ("an absolute layer name", Self.dockerSave(layers: [dir + "/shadow"])),
            ("a config named by an absolute path", Self.dockerSave(layers: ["good.tar"], config: dir + "/shadow")),
            ("a layer that is a symlink to the host file", Self.dockerSave(layers: ["link.tar"], linkTarget: dir + "/shadow")),
            ("a layer that is a relative symlink out", Self.dockerSave(layers: ["link.tar"], linkTarget: "../../../shadow")),
            ("manifest.json a symlink to a host file", Self.dockerSave(layers: [], manifestLink: dir + "/shadow")),
        ]
        for (what, archive) in cases {
            let path = dir + "/evil-\(UUID().uuidString.prefix(6)).tar"
            try Data(archive).write(to: URL(fileURLWithPath: path))
            let store = try ImageStore(root: dir + "/images")
            var message = ""
            do {
                _ = try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: path, reference: nil)
                Issue.record("\(what): imported")
            } catch { message = "\(error)" }
            #expect(message.contains("inside the archive") || message.contains("missing from the archive"), "\(what): \(message)")
            #expect(!message.contains(String(secretDigest.dropFirst(7).prefix(12))), "\(what): the error describes the host file: \(message)")
            #expect(!message.contains("planted-secret"), "\(what): \(message)")
            #expect(!store.blobs.all().contains { $0.description == secretDigest }, "\(what): the host file was stored")
            #expect(try store.records().isEmpty)
        }
        // An OCI layout archive whose blob is a symlink to the host file.
        var layout = TarBuilder()
        layout.add("oci-layout", data: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        layout.add("index.json", data: Array(#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(secretDigest)","size":\#(secret.count),"annotations":{"io.containerd.image.name":"evil:2"}}]}"#.utf8))
        layout.add("blobs/", type: UInt8(ascii: "5"), mode: 0o755)
        layout.add("blobs/sha256/", type: UInt8(ascii: "5"), mode: 0o755)
        layout.add("blobs/sha256/" + secretDigest.dropFirst(7), type: UInt8(ascii: "2"), link: dir + "/shadow")
        try Data(layout.finish()).write(to: URL(fileURLWithPath: dir + "/layout.tar"))
        let store = try ImageStore(root: dir + "/images-layout")
        #expect(throws: (any Error).self) {
            _ = try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/layout.tar", reference: nil)
        }
        #expect(!store.blobs.all().contains { $0.description == secretDigest }, "a layout blob symlinked to a host file was stored")
    }
}

@Suite("zstd layers", .enabled(if: RootGate.enabled))
struct ZstdLayerTests {
    @Test("an image with a zstd layer imports and unpacks")
    func zstdLayer() throws {
        try RootGate.require()
        let dir = "/tmp/bosun-zstd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/layout", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tar = TarBuilder()
        tar.add("etc/zstd", data: Array("compressed with zstd".utf8))
        let raw = tar.finish()
        let compressed = LayerUnpackerTests().zstdCompress(raw)
        let builder = LayoutBuilder(directory: dir + "/layout")
        let layer = try builder.blob(compressed)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(LayoutBuilder.sha(raw))"]}}"#.utf8)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(try builder.blob(config))","size":\#(config.count)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"\#(layer)","size":\#(compressed.count)}]}"#.utf8)
        let digest = try builder.blob(manifest)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: dir + "/layout/oci-layout", atomically: true, encoding: .utf8)
        try #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":\#(manifest.count)}]}"#
            .write(toFile: dir + "/layout/index.json", atomically: true, encoding: .utf8)
        let store = try ImageStore(root: dir + "/images")
        let record = try #require(try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/layout", reference: "z/zstd:1").first)
        let snapshots = try store.ensureSnapshots(record)
        #expect(try String(contentsOfFile: snapshots[0] + "/etc/zstd", encoding: .utf8) == "compressed with zstd")
    }
}
