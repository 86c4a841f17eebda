public import BosunImageSpec
import BosunModel
import Crypto
import Foundation

/// Content-addressed blobs under `<root>/blobs/sha256/<hex>`, shared by every image. A blob is written to a
/// temporary file, checked against its expected digest and size, synced, and renamed into place: a blob whose
/// digest or size does not match is never stored.
public final class BlobStore: @unchecked Sendable {
    public let root: String
    private let lock = NSLock()

    /// Opens (creating, 0700) a store rooted at `root`.
    public init(root: String) throws {
        self.root = root
        for directory in [root, root + "/blobs", root + "/blobs/sha256", root + "/tmp"] {
            var info = stat()
            if lstat(directory, &info) != 0 {
                guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                    throw UnpackError("create \(directory)", errno)
                }
            }
        }
    }

    public func path(_ digest: ContentDigest) -> String { "\(root)/blobs/\(digest.algorithm)/\(digest.hex)" }

    public func contains(_ digest: ContentDigest) -> Bool { FileManager.default.fileExists(atPath: path(digest)) }

    /// The blob's bytes (for small blobs: manifests, configs).
    public func read(_ digest: ContentDigest) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(digest)) else {
            throw UnpackError(message: "blob \(digest.short) is not in the store")
        }
        return Array(data)
    }

    /// A writer for a blob expected to have `digest` and `size` (nil when unknown). `resumeFrom` keeps the
    /// bytes of an earlier partial download (the caller asks the registry for the rest with `Range`).
    public func writer(for digest: ContentDigest, size: Int64?) throws -> BlobWriter {
        try BlobWriter(store: self, digest: digest, size: size)
    }

    /// Stores bytes held in memory (manifests, configs) after checking their digest.
    @discardableResult
    public func put(_ bytes: [UInt8], digest: ContentDigest) throws -> String {
        var writer = try writer(for: digest, size: Int64(bytes.count))
        try writer.write(bytes)
        return try writer.commit()
    }

    /// Every stored blob.
    public func all() -> [ContentDigest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/blobs/sha256")) ?? []
        return names.compactMap { try? ContentDigest(parsing: "sha256:" + $0) }
    }

    public func remove(_ digest: ContentDigest) throws {
        guard unlink(path(digest)) == 0 || errno == ENOENT else { throw UnpackError("remove blob \(digest.short)", errno) }
    }

    func temporaryPath(for digest: ContentDigest) -> String { "\(root)/tmp/\(digest.hex).partial" }
}

/// Writes one blob: bytes are hashed as they arrive; `commit` checks digest and size, syncs and renames.
public struct BlobWriter {
    let store: BlobStore
    public let digest: ContentDigest
    public let expectedSize: Int64?
    let temporary: String
    let fd: Int32
    var hasher = SHA256()
    public private(set) var written: Int64 = 0

    init(store: BlobStore, digest: ContentDigest, size: Int64?) throws {
        self.store = store
        self.digest = digest
        self.expectedSize = size
        // A partial file from an interrupted download is resumed: hash what it holds first. Its writer holds an
        // exclusive lock on it; a second writer of the same blob at the same time (two pulls sharing a layer)
        // writes a file of its own instead of interleaving bytes with the first.
        let shared = store.temporaryPath(for: digest)
        var opened = open(shared, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else { throw UnpackError("create \(shared)", errno) }
        if flock(opened, LOCK_EX | LOCK_NB) == 0 {
            temporary = shared
        } else {
            close(opened)
            temporary = store.root + "/tmp/\(digest.hex).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).partial"
            opened = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard opened >= 0 else { throw UnpackError("create \(temporary)", errno) }
        }
        fd = opened
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            hasher.update(data: buffer[0..<n])
            written += Int64(n)
        }
        if let size, written > size {
            // More than the blob can hold: start again.
            _ = ftruncate(fd, 0)
            _ = lseek(fd, 0, SEEK_SET)
            hasher = SHA256()
            written = 0
        }
    }

    /// Bytes already present from an earlier attempt (ask the server for `Range: bytes=<resumeOffset>-`).
    public var resumeOffset: Int64 { written }

    public mutating func write(_ bytes: [UInt8]) throws {
        if let expectedSize, written + Int64(bytes.count) > expectedSize {
            discard()
            throw UnpackError(message: "blob \(digest.short) is larger than its descriptor's \(expectedSize) bytes; not stored")
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw UnpackError("write blob \(digest.short)", errno) }
            offset += n
        }
        hasher.update(data: bytes)
        written += Int64(bytes.count)
    }

    /// Checks and stores the blob; returns its path. On a mismatch the partial file is removed and nothing is stored.
    public mutating func commit() throws -> String {
        defer { close(fd) }
        let actual = "sha256:" + Hex.encode(hasher.finalize())
        guard actual == digest.description, expectedSize.map({ $0 == written }) ?? true else {
            unlink(temporary)
            throw UnpackError(message: "blob \(digest.short) does not match: got \(actual.prefix(19))… and \(written) bytes; not stored")
        }
        guard fsync(fd) == 0 else { throw UnpackError("sync blob \(digest.short)", errno) }
        let destination = store.path(digest)
        guard rename(temporary, destination) == 0 else {
            // A writer whose partial file another process removed (an image prune) while a second writer stored
            // the same blob: stored, verified by that writer.
            let code = errno
            if code == ENOENT && access(destination, F_OK) == 0 { return destination }
            throw UnpackError("store blob \(digest.short)", code)
        }
        let directory = open(store.root + "/blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return destination
    }

    /// Stops writing and keeps the partial file for a later writer to resume, as a crash would (its lock goes
    /// with the descriptor). The writer cannot be used afterwards.
    public func suspend() {
        close(fd)
    }

    /// Drops the partial file (a corrupted download that should not be resumed).
    public func discard() {
        unlink(temporary)
    }
}
