import BosunArchive
import BosunImageStore
import CZstd
import Foundation
import Testing
import BosunTestSupport

@Suite("Layer unpacking", .enabled(if: RootGate.enabled))
struct LayerUnpackerTests {
    func scratch() throws -> String {
        let path = "/tmp/bosun-layer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/snapshot", withIntermediateDirectories: true)
        return path
    }

    @Test("files, directories, links, devices and metadata land as the tar says")
    func unpack() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tar = TarBuilder()
        tar.add("etc/", type: UInt8(ascii: "5"), mode: 0o755, mtime: 1_600_000_000)
        tar.add("etc/motd", data: Array("hello\n".utf8), mode: 0o640, uid: 1000, gid: 1001, mtime: 1_650_000_000)
        tar.add("bin/busybox", data: [0x7f, 0x45], mode: 0o4755)
        tar.add("bin/sh", type: UInt8(ascii: "2"), link: "busybox")
        tar.add("bin/ash", type: UInt8(ascii: "1"), link: "bin/busybox")
        tar.add("dev/null", type: UInt8(ascii: "3"), mode: 0o666, major: 1, minor: 3)
        tar.add("run/fifo", type: UInt8(ascii: "6"), mode: 0o600)
        tar.add("x", data: Array("xattr".utf8), pax: ["SCHILY.xattr.user.comment": "kept"])
        let report = try LayerUnpacker(snapshot: dir + "/snapshot").unpack(MemoryByteSource(tar.finish()))
        #expect(report.files == 3 && report.entries == 8)
        let root = dir + "/snapshot"
        #expect(try String(contentsOfFile: root + "/etc/motd", encoding: .utf8) == "hello\n")
        var info = stat()
        #expect(lstat(root + "/etc/motd", &info) == 0 && info.st_mode & 0o7777 == 0o640 && info.st_uid == 1000 && info.st_gid == 1001)
        #expect(info.st_mtim.tv_sec == 1_650_000_000)
        #expect(lstat(root + "/bin/busybox", &info) == 0 && info.st_mode & 0o7777 == 0o4755 && info.st_nlink == 2)
        #expect(lstat(root + "/etc", &info) == 0 && info.st_mtim.tv_sec == 1_600_000_000)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/sh") == "busybox")
        #expect(lstat(root + "/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR && info.st_rdev == makedevice(1, 3))
        #expect(lstat(root + "/run/fifo", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        var value = [UInt8](repeating: 0, count: 16)
        let n = bosunGetXattr(root + "/x", "user.comment", &value)
        #expect(n == 4 && Array(value.prefix(4)) == Array("kept".utf8))
    }

    @Test("whiteouts and opaque directories take overlayfs's form, and a real overlay hides what they hide")
    func whiteoutsThroughOverlay() throws {
        try RootGate.require()
        let dir = try scratch()
        defer {
            _ = umount2(dir + "/merged", Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: dir)
        }
        var lower = TarBuilder()
        lower.add("keep", data: [1])
        lower.add("gone", data: [2])
        lower.add("d/old", data: [3])
        _ = try LayerUnpacker(snapshot: dir + "/snapshot").unpack(MemoryByteSource(lower.finish()))
        var upper = TarBuilder()
        upper.add(".wh.gone")
        upper.add("d/.wh..wh..opq")
        upper.add("d/new", data: [4])
        for sub in ["upper-layer", "upper", "work", "merged"] { try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
        let report = try LayerUnpacker(snapshot: dir + "/upper-layer").unpack(MemoryByteSource(upper.finish()))
        #expect(report.whiteouts == 1 && report.opaqueDirectories == 1)
        var info = stat()
        #expect(lstat(dir + "/upper-layer/gone", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR && info.st_rdev == 0)
        let options = "lowerdir=\(dir)/upper-layer:\(dir)/snapshot,upperdir=\(dir)/upper,workdir=\(dir)/work"
        #expect(mount("overlay", dir + "/merged", "overlay", 0, options) == 0, "mount overlay: \(String(cString: strerror(errno)))")
        let merged = try FileManager.default.contentsOfDirectory(atPath: dir + "/merged").sorted()
        #expect(merged == ["d", "keep"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/merged/d") == ["new"])
        _ = umount2(dir + "/merged", Int32(MNT_DETACH))
    }

    @Test("malicious layers are refused and nothing is written outside the snapshot", arguments: [
        "symlink-then-write", "symlink-dir-climb", "absolute", "dotdot", "hardlink-out", "hardlink-via-symlink",
    ])
    func malicious(_ attack: String) throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outside = dir + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "secret".write(toFile: outside + "/target", atomically: true, encoding: .utf8)
        var tar = TarBuilder()
        switch attack {
        case "symlink-then-write":
            tar.add("evil", type: UInt8(ascii: "2"), link: outside)
            tar.add("evil/pwned", data: [1])
        case "symlink-dir-climb":
            tar.add("a/b", type: UInt8(ascii: "2"), link: "../../outside")
            tar.add("a/b/pwned", data: [1])
        case "absolute":
            tar.add(outside + "/pwned", data: [1])
        case "dotdot":
            tar.add("../outside/pwned", data: [1])
        case "hardlink-out":
            tar.add("steal", type: UInt8(ascii: "1"), link: "../outside/target")
        default:
            tar.add("link", type: UInt8(ascii: "2"), link: outside)
            tar.add("steal", type: UInt8(ascii: "1"), link: "link/target")
        }
        #expect(throws: (any Error).self) { try LayerUnpacker(snapshot: dir + "/snapshot").unpack(MemoryByteSource(tar.finish())) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["target"])
        #expect(try String(contentsOfFile: outside + "/target", encoding: .utf8) == "secret")
        var info = stat()
        #expect(lstat(dir + "/snapshot/steal", &info) != 0)
    }

    @Test("gzip and zstd layers decompress while streaming; damaged streams are errors")
    func compressed() throws {
        try RootGate.require()
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tar = TarBuilder()
        tar.add("big", data: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let raw = tar.finish()
        try Data(raw).write(to: URL(fileURLWithPath: dir + "/layer.tar"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", dir + "/layer.tar"]
        try gzip.run()
        gzip.waitUntilExit()
        let gz = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/layer.tar.gz")))
        var source = try GzipByteSource(MemoryByteSource(gz))
        var out: [UInt8] = []
        while case let chunk = try source.read(maximum: 4096), !chunk.isEmpty { out += chunk }
        source.close()
        #expect(out == raw)
        let zst = zstdCompress(raw)
        var zsource = try ZstdByteSource(MemoryByteSource(zst))
        out = []
        while case let chunk = try zsource.read(maximum: 10_000), !chunk.isEmpty { out += chunk }
        zsource.close()
        #expect(out == raw)
        var damaged = try GzipByteSource(MemoryByteSource(Array(gz.prefix(gz.count / 2))))
        #expect(throws: TarError.self) { while !(try damaged.read(maximum: 65536)).isEmpty {} }
        damaged.close()
        let report = try LayerUnpacker(snapshot: dir + "/snapshot").unpack(try GzipByteSource(MemoryByteSource(gz)))
        #expect(report.bytes == 300_000)
    }

    func zstdCompress(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let size = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { ZSTD_compress($0.baseAddress, $0.count, input.baseAddress, input.count, 3) }
        }
        return Array(output.prefix(size))
    }
}

func makedevice(_ major: UInt64, _ minor: UInt64) -> dev_t {
    dev_t(((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff))
}

import CBosunSys

func bosunGetXattr(_ path: String, _ name: String, _ buffer: inout [UInt8]) -> Int {
    let count = buffer.count
    return buffer.withUnsafeMutableBytes { bosun_lgetxattr(path, name, $0.baseAddress, count) }
}
