public import BosunImageSpec
import BosunArchive
import CBosunSys
import Foundation
import BosunLinux

/// Images on this host: blobs by digest, one unpacked snapshot per layer (shared by every image that uses
/// it), and the records that name them. Rooted at `<state>/images` (0700).
public final class ImageStore: @unchecked Sendable {
    public let root: String
    public let blobs: BlobStore
    private let lock = NSLock()

    public init(root: String) throws {
        self.root = root
        blobs = try BlobStore(root: root)
        let snapshots = root + "/snapshots"
        guard mkdir(snapshots, 0o700) == 0 || errno == EEXIST else { throw UnpackError("create \(snapshots)", errno) }
        // Spread snapshot directories over ext4 block groups (chattr +T): unpacking into groups full of
        // just-freed inodes was 10x slower here. Other filesystems refuse the flag, which is harmless.
        let fd = open(snapshots, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = bosun_set_topdir_flag(fd)
            close(fd)
        }
    }

    // MARK: records

    var recordsPath: String { root + "/images.json" }

    /// Every image record, by reference.
    public func records() throws -> [String: ImageRecord] {
        guard let data = FileManager.default.contents(atPath: recordsPath) else { return [:] }
        do { return try JSONDecoder().decode([String: ImageRecord].self, from: data) } catch {
            throw UnpackError(message: "image records \(recordsPath) are damaged: \(error)")
        }
    }

    public func record(_ reference: String) throws -> ImageRecord? { try records()[reference] }

    /// Adds or replaces a record (atomically: temp file, fsync, rename).
    public func save(_ record: ImageRecord) throws {
        try lock.withLock {
            var all = try records()
            all[record.reference] = record
            try write(all)
        }
    }

    public func removeRecord(_ reference: String) throws -> Bool {
        try lock.withLock {
            var all = try records()
            guard all.removeValue(forKey: reference) != nil else { return false }
            try write(all)
            return true
        }
    }

    private func write(_ all: [String: ImageRecord]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(all)
        do { try AtomicFile.write(Array(data), to: recordsPath) } catch { throw UnpackError("\(error.call) \(error.path)", error.code) }
    }

    // MARK: snapshots

    /// The snapshot directory of a layer, by its uncompressed digest.
    public func snapshotPath(_ diffID: ContentDigest) -> String { "\(root)/snapshots/\(diffID.hex)" }

    public func hasSnapshot(_ diffID: ContentDigest) -> Bool {
        var info = stat()
        return stat(snapshotPath(diffID), &info) == 0
    }

    /// Unpacks every layer of `record` that has no snapshot yet (each once, verified against its diff ID),
    /// and returns the snapshot directories, bottom layer first.
    @discardableResult
    public func ensureSnapshots(_ record: ImageRecord) throws -> [String] {
        guard record.diffIDs.count == record.manifest.layers.count else {
            throw UnpackError(message: "\(record.reference): the config lists \(record.diffIDs.count) layers, the manifest \(record.manifest.layers.count)")
        }
        for (layer, diffID) in zip(record.manifest.layers, record.diffIDs) where !hasSnapshot(diffID) {
            try unpack(layer: layer, diffID: diffID)
        }
        return record.diffIDs.map(snapshotPath)
    }

    /// Unpacks into a temporary directory and renames it into place, so a crash leaves no half snapshot.
    func unpack(layer: Descriptor, diffID: ContentDigest) throws {
        guard let compression = MediaTypes.layerCompression(layer.mediaType) else {
            throw UnpackError(message: "layer \(layer.digest.short) has media type \(layer.mediaType), which bosun cannot unpack")
        }
        let temporary = "\(root)/snapshots/.\(diffID.hex).\(getpid()).tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        guard mkdir(temporary, 0o755) == 0 else { throw UnpackError("create \(temporary)", errno) }
        do {
            let file = try FileByteSource(path: blobs.path(layer.digest))
            defer { file.close() }
            let digest: String
            switch compression {
            case .none:
                digest = try unpackDigesting(file, into: temporary)
            case .gzip:
                let gzip = try GzipByteSource(file)
                defer { gzip.close() }
                digest = try unpackDigesting(gzip, into: temporary)
            case .zstd:
                let zstd = try ZstdByteSource(file)
                defer { zstd.close() }
                digest = try unpackDigesting(zstd, into: temporary)
            }
            guard digest == diffID.description else {
                throw UnpackError(message: "layer \(layer.digest.short) unpacks to \(digest.prefix(19))…, not its diff ID \(diffID.short)")
            }
            // The tree's record goes in first: a snapshot in place always has one.
            let tree = try SnapshotTree.scan(temporary)
            try Data(tree.text.utf8).write(to: URL(fileURLWithPath: treePath(diffID)), options: .atomic)
            guard rename(temporary, snapshotPath(diffID)) == 0 || errno == ENOTEMPTY || errno == EEXIST else {
                throw UnpackError("store snapshot \(diffID.short)", errno)
            }
            try? FileManager.default.removeItem(atPath: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Unpacks an uncompressed tar stream and returns its digest (the layer's diff ID, to check).
    func unpackDigesting<Source: ByteSource>(_ source: Source, into directory: String) throws -> String {
        var (_, digesting) = try LayerUnpacker(snapshot: directory).unpackReturningSource(DigestingByteSource(source))
        try digesting.drain()
        return digesting.digest()
    }

    /// Every snapshot directory's diff ID.
    public func snapshots() -> [ContentDigest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/snapshots")) ?? []
        return names.compactMap { $0.hasPrefix(".") || $0.hasSuffix(".tree") ? nil : try? ContentDigest(parsing: "sha256:" + $0) }
    }

    public func removeSnapshot(_ diffID: ContentDigest) throws {
        try FileManager.default.removeItem(atPath: snapshotPath(diffID))
        unlink(treePath(diffID))
    }
}

extension DigestingByteSource {
    /// Reads to the end (the tar's trailing zero blocks), so the digest covers the whole stream.
    mutating func drain() throws {
        while !(try read(maximum: 1 << 16)).isEmpty {}
    }
}
