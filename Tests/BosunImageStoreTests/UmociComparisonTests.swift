import BosunArchive
import BosunImageSpec
import BosunImageStore
import Crypto
import Foundation
import Testing
import BosunTestSupport

/// The merged root filesystem (overlayfs over bosun's snapshots) must equal what `umoci unpack` produces
/// for a multi-layer image with file, directory and opaque whiteouts, a file replaced by a directory, and
/// hardlinks.
@Suite("Merged layers equal umoci's unpack", .enabled(if: RootGate.enabled))
struct UmociComparisonTests {
    static func layers() -> [[UInt8]] {
        var base = TarBuilder()
        base.add("a/", type: UInt8(ascii: "5"), mode: 0o755)
        base.add("a/x", data: Array("x".utf8))
        base.add("a/y", data: Array("y".utf8), mode: 0o600, uid: 1000, gid: 1000)
        base.add("d/", type: UInt8(ascii: "5"), mode: 0o750)
        base.add("d/1", data: Array("one".utf8))
        base.add("f", data: Array("file".utf8))
        base.add("keep", data: Array("keep".utf8), mode: 0o4755)
        base.add("hl", type: UInt8(ascii: "1"), link: "keep")
        base.add("s", type: UInt8(ascii: "2"), link: "keep")
        base.add("gone/", type: UInt8(ascii: "5"), mode: 0o755)
        base.add("gone/inside", data: [1])
        var middle = TarBuilder()
        middle.add("a/.wh.x")
        middle.add(".wh.gone")
        middle.add("d/", type: UInt8(ascii: "5"), mode: 0o750)
        middle.add("d/.wh..wh..opq")
        middle.add("d/2", data: Array("two".utf8))
        middle.add(".wh.f")
        middle.add("f/", type: UInt8(ascii: "5"), mode: 0o700)
        middle.add("f/inner", data: Array("inner".utf8))
        var top = TarBuilder()
        top.add("a/z", data: Array("zed".utf8), mode: 0o640)
        top.add("a/z2", type: UInt8(ascii: "1"), link: "a/z")
        top.add("s", type: UInt8(ascii: "2"), link: "a/z")
        return [base.finish(), middle.finish(), top.finish()]
    }

    @Test("three layers with whiteouts, opaque directories, replacement and hardlinks")
    func compare() throws {
        try RootGate.require()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci") else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("umoci is not installed (CI installs it)") }
            return
        }
        let dir = "/tmp/bosun-umoci-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/layout/blobs/sha256", withIntermediateDirectories: true)
        defer {
            try? OverlayRootfs.unmount(dir + "/merged")
            try? FileManager.default.removeItem(atPath: dir)
        }
        let builder = LayoutBuilder(directory: dir + "/layout")
        var layerJSON: [String] = []
        var diffIDs: [String] = []
        for tar in Self.layers() {
            let gz = try LayoutBuilder.gzip(tar, scratch: dir)
            layerJSON.append(#"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(try builder.blob(gz))","size":\#(gz.count)}"#)
            diffIDs.append(LayoutBuilder.sha(tar))
        }
        let config = Array(#"{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[\#(diffIDs.map { "\"\($0)\"" }.joined(separator: ","))]}}"#.utf8)
        let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(try builder.blob(config))","size":\#(config.count)},"layers":[\#(layerJSON.joined(separator: ","))]}"#.utf8)
        let manifestDigest = try builder.blob(manifest)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: dir + "/layout/oci-layout", atomically: true, encoding: .utf8)
        try #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(manifestDigest)","size":\#(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"t"}}]}"#
            .write(toFile: dir + "/layout/index.json", atomically: true, encoding: .utf8)

        let umoci = Process()
        umoci.executableURL = URL(fileURLWithPath: "/usr/bin/umoci")
        umoci.arguments = ["unpack", "--image", dir + "/layout:t", dir + "/bundle"]
        umoci.standardOutput = FileHandle.nullDevice
        umoci.standardError = FileHandle.nullDevice
        try umoci.run()
        umoci.waitUntilExit()
        #expect(umoci.terminationStatus == 0)

        let store = try ImageStore(root: dir + "/images")
        let record = try #require(try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/layout", reference: "x/t:1").first)
        let snapshots = try store.ensureSnapshots(record)
        for sub in ["upper", "work", "merged"] { try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
        try OverlayRootfs.mount(lowers: snapshots, upper: dir + "/upper", work: dir + "/work", target: dir + "/merged")
        let ours = try TreeSnapshot.read(dir + "/merged")
        let theirs = try TreeSnapshot.read(dir + "/bundle/rootfs")
        #expect(ours.keys.sorted() == theirs.keys.sorted())
        for (path, entry) in theirs where ours[path] != entry {
            Issue.record("\(path): bosun \(ours[path].map { "\($0)" } ?? "missing"), umoci \(entry)")
        }
        #expect(ours["a/z"] != nil && ours["a/x"] == nil && ours["d/1"] == nil && ours["f/inner"] != nil)
    }
}

/// A directory tree as path → (type, mode, owner, content hash or link target), for comparison.
enum TreeSnapshot {
    static func read(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFDIR: kind = "dir"
            case S_IFLNK: kind = "link:" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + path)) ?? "?")
            case S_IFREG:
                let data = FileManager.default.contents(atPath: root + "/" + path) ?? Data()
                kind = "file:" + SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            default: kind = "other"
            }
            let mode = kind.hasPrefix("link:") ? "" : String(info.st_mode & 0o7777, radix: 8)
            result[path] = "\(kind) \(mode) \(info.st_uid):\(info.st_gid)"
        }
        return result
    }
}
