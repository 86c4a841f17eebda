public import BosunArchive
import BosunModel
import CBosunSys
import Crypto
import Foundation

/// A file read a chunk at a time.
public struct FileByteSource: ByteSource {
    let handle: FileHandle

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TarError("cannot open \(path)") }
        self.handle = handle
    }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        Array(try handle.read(upToCount: maximum) ?? Data())
    }

    /// Opens `path` inside `directory` and nowhere else: `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`
    /// refuses absolute paths, `..` that leaves the directory and symlinks anywhere on the way, and only a
    /// regular file is read. For files named by an archive (`docker save`'s manifest.json, an OCI layout's
    /// blobs), so a crafted name never makes bosun read a host file. `what` names the file in errors, which
    /// never describe what is outside.
    public init(inside directory: String, path: String, what: String) throws {
        let refused = UnpackError(message: "\(what) \"\(path)\" is not a regular file inside the archive (absolute paths, .. and symlinks are refused)")
        guard !path.isEmpty, !path.utf8.contains(0) else { throw refused }
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw UnpackError("open \(directory)", errno) }
        defer { _ = Glibc.close(root) }
        let fd = Int32(bosun_openat2(root, path, UInt64(O_RDONLY | O_CLOEXEC | O_NOFOLLOW), 0,
                                     BOSUN_RESOLVE_BENEATH | BOSUN_RESOLVE_NO_SYMLINKS | BOSUN_RESOLVE_NO_MAGICLINKS))
        guard fd >= 0 else {
            if errno == ENOENT { throw UnpackError(message: "\(what) \"\(path)\" is missing from the archive") }
            throw refused
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            _ = Glibc.close(fd)
            throw refused
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public func close() { try? handle.close() }

    /// Reads a whole file `inside` a directory (see `init(inside:path:what:)`).
    public static func contents(inside directory: String, path: String, what: String) throws -> [UInt8] {
        var file = try FileByteSource(inside: directory, path: path, what: what)
        defer { file.close() }
        var bytes: [UInt8] = []
        while case let chunk = try file.read(maximum: 1 << 20), !chunk.isEmpty { bytes += chunk }
        return bytes
    }
}

/// Passes bytes through while computing their SHA-256 and counting them.
public struct DigestingByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    var hasher = SHA256()
    public private(set) var count: Int64 = 0

    public init(_ upstream: Upstream) { self.upstream = upstream }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        let chunk = try upstream.read(maximum: maximum)
        hasher.update(data: chunk)
        count += Int64(chunk.count)
        return chunk
    }

    /// `sha256:<hex>` of everything read so far.
    public func digest() -> String {
        "sha256:" + Hex.encode(hasher.finalize())
    }
}
