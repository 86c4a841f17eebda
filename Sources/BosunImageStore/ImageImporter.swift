public import BosunImageSpec
import BosunArchive
import BosunModel
import Crypto
import Foundation

/// Imports images without a registry: an OCI image layout directory, or an OCI or `docker save` archive —
/// for offline hosts and the demo.
public struct ImageImporter {
    public let store: ImageStore
    /// The host platform, to choose from an index.
    public let platform: Platform
    let clock: () -> Int64

    public init(store: ImageStore, platform: Platform, clock: (() -> Int64)? = nil) {
        self.store = store
        self.platform = platform
        self.clock = clock ?? { Int64(Date().timeIntervalSince1970 * 1000) }
    }

    /// Imports from `path` (a layout directory or an archive); `reference` names the image when the source
    /// does not (or overrides it). Returns the records stored.
    public func importImages(from path: String, reference: String?) throws -> [ImageRecord] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw UnpackError(message: "import \(path): no such file or directory")
        }
        if isDirectory.boolValue { return try importLayout(directory: path, reference: reference) }
        let scratch = store.root + "/tmp/import-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let file = try FileByteSource(path: path)
        defer { file.close() }
        var head = try FileByteSource(path: path)
        let magic = try head.read(maximum: 2)
        head.close()
        if magic == [0x1f, 0x8b] {
            let gzip = try GzipByteSource(file)
            defer { gzip.close() }
            _ = try LayerUnpacker(snapshot: scratch).unpack(gzip)
        } else {
            _ = try LayerUnpacker(snapshot: scratch).unpack(file)
        }
        if FileManager.default.fileExists(atPath: scratch + "/oci-layout") { return try importLayout(directory: scratch, reference: reference) }
        if FileManager.default.fileExists(atPath: scratch + "/manifest.json") { return try importDockerSave(directory: scratch, reference: reference) }
        throw UnpackError(message: "import \(path): neither an OCI layout (oci-layout) nor a docker save archive (manifest.json)")
    }

    /// An OCI image layout: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
    public func importLayout(directory: String, reference: String?) throws -> [ImageRecord] {
        guard access(directory + "/index.json", F_OK) == 0 else {
            throw UnpackError(message: "\(directory) has no index.json: not an OCI image layout")
        }
        let indexData = try FileByteSource.contents(inside: directory, path: "index.json", what: "the layout's index.json")
        guard case .index(let index) = try ManifestDocument.parse(Array(indexData), mediaType: MediaTypes.ociIndex) else {
            throw UnpackError(message: "\(directory)/index.json is not an image index")
        }
        var records: [ImageRecord] = []
        for descriptor in index.manifests {
            let name = reference ?? descriptor.annotations?["io.containerd.image.name"] ?? descriptor.annotations?["org.opencontainers.image.ref.name"]
            guard let name else {
                throw UnpackError(message: "\(directory): manifest \(descriptor.digest.short) has no name; pass --ref")
            }
            var manifestDescriptor = descriptor
            var manifestBytes = try copyBlob(descriptor, from: directory)
            if case .index(let nested) = try ManifestDocument.parse(manifestBytes, mediaType: descriptor.mediaType) {
                guard let chosen = nested.manifest(for: platform) else {
                    throw UnpackError(message: "\(name): no manifest for \(platform) in the index")
                }
                manifestDescriptor = chosen
                manifestBytes = try copyBlob(chosen, from: directory)
            }
            guard case .manifest(let manifest) = try ManifestDocument.parse(manifestBytes, mediaType: manifestDescriptor.mediaType) else {
                throw UnpackError(message: "\(name): \(manifestDescriptor.digest.short) is not an image manifest")
            }
            for layer in manifest.layers { _ = try copyBlob(layer, from: directory, keep: false) }
            let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try copyBlob(manifest.config, from: directory)))
            records.append(try save(reference: name, manifestDigest: manifestDescriptor.digest, manifest: manifest, config: config))
            if reference != nil { break }
        }
        return records
    }

    /// A `docker save` directory: `manifest.json` naming the config and the (uncompressed) layer tars.
    public func importDockerSave(directory: String, reference: String?) throws -> [ImageRecord] {
        struct Entry: Decodable {
            var config: String
            var repoTags: [String]?
            var layers: [String]
            enum CodingKeys: String, CodingKey { case config = "Config", repoTags = "RepoTags", layers = "Layers" }
        }
        let manifestBytes = try FileByteSource.contents(inside: directory, path: "manifest.json", what: "docker save manifest.json")
        let entries: [Entry]
        do { entries = try JSONDecoder().decode([Entry].self, from: Data(manifestBytes)) } catch {
            throw UnpackError(message: "docker save manifest.json is not a list of images with Config and Layers: \(error)")
        }
        var records: [ImageRecord] = []
        for entry in entries {
            guard let name = reference ?? entry.repoTags?.first else {
                throw UnpackError(message: "\(directory): an image has no RepoTags; pass --ref")
            }
            let configDescriptor = try ingest(directory, entry.config, what: "\(name): config", mediaType: MediaTypes.dockerConfig)
            let layers = try entry.layers.enumerated().map { index, layer in
                try ingest(directory, layer, what: "\(name): layer \(index + 1)", mediaType: "application/vnd.docker.image.rootfs.diff.tar")
            }
            let manifest = ImageManifest(schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config: configDescriptor, layers: layers)
            let imageManifestBytes = Array(try JSONEncoder().encode(manifest))
            let manifestDigest = try ImageImporter.digest(imageManifestBytes)
            try store.blobs.put(imageManifestBytes, digest: manifestDigest)
            let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try store.blobs.read(configDescriptor.digest)))
            records.append(try save(reference: name, manifestDigest: manifestDigest, manifest: manifest, config: config))
            if reference != nil { break }
        }
        return records
    }

    func save(reference name: String, manifestDigest: ContentDigest, manifest: ImageManifest, config: ImageConfig) throws -> ImageRecord {
        let reference: String
        do { reference = try ImageReference(parsing: name).description } catch {
            throw UnpackError(message: "import: \(error.message)")
        }
        let platform = config.architecture.map { Platform(architecture: $0, os: config.os ?? "linux", variant: config.variant) }
        let record = ImageRecord(reference: reference, manifestDigest: manifestDigest, manifest: manifest, platform: platform,
                                 diffIDs: config.rootfs?.diffIDs ?? [], storedAt: clock())
        try store.save(record)
        return record
    }

    /// Copies a blob of the layout into the store (verifying it) and returns its bytes when `keep`.
    func copyBlob(_ descriptor: Descriptor, from directory: String, keep: Bool = true) throws -> [UInt8] {
        if !store.blobs.containsIntact(descriptor.digest) {
            let source = "blobs/\(descriptor.digest.algorithm)/\(descriptor.digest.hex)"
            var file = try FileByteSource(inside: directory, path: source, what: "blob")
            defer { file.close() }
            var writer = try store.blobs.writer(for: descriptor.digest, size: descriptor.size)
            while case let chunk = try file.read(maximum: 1 << 20), !chunk.isEmpty { try writer.write(chunk) }
            _ = try writer.commit()
        }
        return keep ? try store.blobs.read(descriptor.digest) : []
    }

    /// Stores the file `path` of the unpacked archive at `directory` (opened inside it only) as a blob.
    func ingest(_ directory: String, _ path: String, what: String, mediaType: String) throws -> Descriptor {
        var source = DigestingByteSource(try FileByteSource(inside: directory, path: path, what: what))
        while !(try source.read(maximum: 1 << 20)).isEmpty {}
        let digest = try ContentDigest(parsing: source.digest())
        if !store.blobs.containsIntact(digest) {
            var file = try FileByteSource(inside: directory, path: path, what: what)
            defer { file.close() }
            var writer = try store.blobs.writer(for: digest, size: source.count)
            while case let chunk = try file.read(maximum: 1 << 20), !chunk.isEmpty { try writer.write(chunk) }
            _ = try writer.commit()
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: source.count)
    }

    static func digest(_ bytes: [UInt8]) throws -> ContentDigest {
        try ContentDigest(parsing: "sha256:" + Hex.encode(SHA256.hash(data: bytes)))
    }
}
