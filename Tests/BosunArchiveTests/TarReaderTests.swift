import BosunArchive
import BosunTestSupport
import Testing

@Suite("Tar reading and layer plans")
struct TarReaderTests {
    @Test("ustar entries, data, links, devices, GNU long names and PAX records")
    func reading() throws {
        var tar = TarBuilder()
        tar.add("etc/", type: UInt8(ascii: "5"), mode: 0o755)
        tar.add("etc/hostname", data: Array("box\n".utf8), mode: 0o600, uid: 1000, gid: 1001)
        tar.add("bin/sh", type: UInt8(ascii: "2"), link: "busybox")
        tar.add("bin/ash", type: UInt8(ascii: "1"), link: "bin/busybox")
        tar.add("dev/null", type: UInt8(ascii: "3"), mode: 0o666, major: 1, minor: 3)
        let long = String(repeating: "d/", count: 70) + "file"
        tar.add(long, data: [1, 2, 3])
        tar.add("pax", data: Array(repeating: 7, count: 600), pax: ["path": "a/very/pax/name", "mtime": "1700000000.5", "SCHILY.xattr.user.k": "v"])
        var reader = TarReader(MemoryByteSource(tar.finish()))
        var entries: [(TarEntry, [UInt8])] = []
        while let entry = try reader.next() {
            var data: [UInt8] = []
            while case let chunk = try reader.readData(maximum: 100), !chunk.isEmpty { data += chunk }
            entries.append((entry, data))
        }
        #expect(entries.map(\.0.path) == ["etc/", "etc/hostname", "bin/sh", "bin/ash", "dev/null", long, "a/very/pax/name"])
        #expect(entries[0].0.kind == .directory && entries[0].0.mode == 0o755)
        #expect(entries[1].1 == Array("box\n".utf8) && entries[1].0.uid == 1000 && entries[1].0.gid == 1001 && entries[1].0.mode == 0o600)
        #expect(entries[2].0.kind == .symlink && entries[2].0.linkName == "busybox")
        #expect(entries[3].0.kind == .hardlink)
        #expect(entries[4].0.kind == .characterDevice && entries[4].0.deviceMajor == 1 && entries[4].0.deviceMinor == 3)
        #expect(entries[5].1 == [1, 2, 3])
        #expect(entries[6].1.count == 600 && entries[6].0.modificationNanoseconds == 500_000_000 && entries[6].0.xattrs["user.k"] == Array("v".utf8))
    }

    @Test("unread data is skipped, a damaged header and a cut archive are errors")
    func damage() throws {
        var tar = TarBuilder()
        tar.add("a", data: Array(repeating: 1, count: 1000))
        tar.add("b", data: [2])
        let bytes = tar.finish()
        var reader = TarReader(MemoryByteSource(bytes))
        #expect(try reader.next()?.path == "a")
        #expect(try reader.next()?.path == "b")
        #expect(try reader.next() == nil)
        var damaged = bytes
        damaged[10] ^= 0xff
        var bad = TarReader(MemoryByteSource(damaged))
        #expect(throws: TarError.self) { _ = try bad.next() }
        var cut = TarReader(MemoryByteSource(Array(bytes.prefix(700))))
        _ = try cut.next()
        #expect(throws: TarError.self) { while !(try cut.readData()).isEmpty {} }
    }

    @Test("layer plans: whiteouts, opaque directories, the root, and refusals")
    func plans() throws {
        #expect(try LayerOperation.plan(TarEntry(path: "./etc/.wh.passwd", kind: .file)) == .whiteout(path: "etc/passwd"))
        #expect(try LayerOperation.plan(TarEntry(path: "var/lib/.wh..wh..opq", kind: .file)) == .opaque(directory: "var/lib"))
        #expect(try LayerOperation.plan(TarEntry(path: "./", kind: .directory)) == .root(entry: TarEntry(path: "./", kind: .directory)))
        #expect(try LayerOperation.plan(TarEntry(path: "a//b/./c", kind: .file)) == .create(path: "a/b/c", entry: TarEntry(path: "a/b/c", kind: .file)))
        for evil in ["/etc/passwd", "../../etc/passwd", "a/../../b", "a/b/../../../c"] {
            #expect(throws: TarError.self, "\(evil)") { try LayerOperation.plan(TarEntry(path: evil, kind: .file)) }
        }
        #expect(throws: TarError.self) { try LayerOperation.plan(TarEntry(path: "x", kind: .hardlink, linkName: "../../etc/shadow")) }
        #expect(throws: TarError.self) { try LayerOperation.plan(TarEntry(path: "x", kind: .hardlink, linkName: "/etc/shadow")) }
        // A symlink may point anywhere: it is never followed while unpacking.
        let symlink = TarEntry(path: "x", kind: .symlink, linkName: "/etc/shadow")
        #expect(try LayerOperation.plan(symlink) == .create(path: "x", entry: symlink))
    }
}
