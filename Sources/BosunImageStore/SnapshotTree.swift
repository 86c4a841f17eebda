import Crypto
import Foundation

/// The recorded shape of an unpacked snapshot, taken when it is unpacked and kept beside it
/// (`snapshots/<hex>.tree`): one line per entry, sorted by path —
/// `PATH TYPE+MODE UID:GID SIZE CONTENT` where CONTENT is the SHA-256 of a file's bytes, a symlink's target,
/// a device's `major,minor`, or `-`. Paths and targets are percent-encoded (`%`, space, control bytes and
/// non-ASCII as `%XX`), so a line is one line whatever the names. Extended attributes (overlay's opaque
/// marks) and times are not recorded. A check scans the tree again and names the first path that differs.
public struct SnapshotTree: Sendable, Equatable {
    /// One file, directory, symlink or device of the snapshot.
    public struct Entry: Sendable, Equatable {
        /// Relative to the snapshot, `.` for its root; percent-encoded.
        public var path: String
        /// `st_mode`: type and permission bits.
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var size: Int64
        public var content: String

        var line: String { "\(path) \(String(mode, radix: 8)) \(uid):\(gid) \(size) \(content)" }
    }

    public var entries: [Entry]

    /// The text kept in `<hex>.tree`.
    public var text: String { entries.map { $0.line + "\n" }.joined() }

    /// Reads the text of a `.tree` file; nil when it is not one (damaged or truncated).
    public init?(text: String) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ")
            guard fields.count == 5, let mode = UInt32(fields[1], radix: 8) else { return nil }
            let owner = fields[2].split(separator: ":")
            guard owner.count == 2, let uid = UInt32(owner[0]), let gid = UInt32(owner[1]), let size = Int64(fields[3]) else { return nil }
            entries.append(Entry(path: String(fields[0]), mode: mode, uid: uid, gid: gid, size: size, content: String(fields[4])))
        }
        self.entries = entries
    }

    init(entries: [Entry]) { self.entries = entries }

    /// Scans the tree under `root` (never following symlinks), hashing every regular file.
    public static func scan(_ root: String) throws -> SnapshotTree {
        var entries: [Entry] = []
        try walk(Array(root.utf8), relative: [], into: &entries)
        entries.sort { $0.path < $1.path }
        return SnapshotTree(entries: entries)
    }

    /// The first path at which `actual` differs from this recorded tree, and how; nil when they are the same.
    public func firstDifference(_ actual: SnapshotTree) -> (path: String, problem: String)? {
        let recorded = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let found = Dictionary(actual.entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for path in Set(recorded.keys).union(found.keys).sorted() {
            switch (recorded[path], found[path]) {
            case (let was?, let now?):
                if was.mode != now.mode { return (path, "mode \(String(was.mode, radix: 8)) recorded, \(String(now.mode, radix: 8)) found") }
                if was.uid != now.uid || was.gid != now.gid { return (path, "owner \(was.uid):\(was.gid) recorded, \(now.uid):\(now.gid) found") }
                if was.size != now.size { return (path, "size \(was.size) recorded, \(now.size) found") }
                if was.content != now.content { return (path, "content differs") }
            case (nil, _?): return (path, "not in the image (added)")
            case (_?, nil): return (path, "missing")
            case (nil, nil): continue
            }
        }
        return nil
    }

    static func walk(_ root: [UInt8], relative: [UInt8], into entries: inout [Entry]) throws {
        let full = relative.isEmpty ? root : root + [UInt8(ascii: "/")] + relative
        var info = stat()
        guard (full + [0]).withUnsafeBufferPointer({ $0.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &info) } }) == 0 else {
            throw UnpackError("scan \(String(decoding: full, as: UTF8.self))", errno)
        }
        let type = info.st_mode & S_IFMT
        var content = "-"
        var size = Int64(0)
        switch type {
        case S_IFREG:
            size = Int64(info.st_size)
            content = try hash(full)
        case S_IFLNK:
            var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = (full + [0]).withUnsafeBufferPointer { path in
                path.withMemoryRebound(to: CChar.self) { cPath in target.withUnsafeMutableBufferPointer { readlink(cPath.baseAddress!, UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int(PATH_MAX)) } }
            }
            guard count >= 0 else { throw UnpackError("read the link \(String(decoding: full, as: UTF8.self))", errno) }
            size = Int64(count)
            content = encode(Array(target.prefix(count)))
        case S_IFCHR, S_IFBLK:
            let device = UInt64(info.st_rdev)  // glibc's major() and minor(), which are macros
            content = "\(((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)),\((device & 0xff) | ((device >> 12) & ~0xff))"
        default:
            break
        }
        entries.append(Entry(path: relative.isEmpty ? "." : encode(relative), mode: info.st_mode, uid: info.st_uid, gid: info.st_gid, size: size, content: content))
        guard type == S_IFDIR else { return }
        for name in try names(full) {
            try walk(root, relative: relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name, into: &entries)
        }
    }

    static func names(_ directory: [UInt8]) throws -> [[UInt8]] {
        guard let dir = (directory + [0]).withUnsafeBufferPointer({ $0.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) } }) else {
            throw UnpackError("scan \(String(decoding: directory, as: UTF8.self))", errno)
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names
    }

    static func hash(_ path: [UInt8]) throws -> String {
        let fd = (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) } }
        guard fd >= 0 else { throw UnpackError("read \(String(decoding: path, as: UTF8.self))", errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw UnpackError("read \(String(decoding: path, as: UTF8.self))", errno)
            }
            if n == 0 { break }
            hasher.update(data: buffer[0..<n])
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Percent-encodes `%`, space, control bytes and bytes above 0x7e.
    static func encode(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            if byte <= 0x20 || byte >= 0x7f || byte == UInt8(ascii: "%") {
                out += String(format: "%%%02X", byte)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
