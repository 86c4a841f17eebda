public import BosunImageSpec

/// An image known to the store: where it came from, its manifest, config and layers.
public struct ImageRecord: Sendable, Hashable, Codable {
    /// The normalised reference it was pulled or imported as, e.g. `docker.io/library/busybox:1.35`.
    public var reference: String
    public var manifestDigest: ContentDigest
    public var manifest: ImageManifest
    public var platform: Platform?
    /// The uncompressed digests of the layers, bottom first (the config's `rootfs.diff_ids`).
    public var diffIDs: [ContentDigest]
    /// When it was stored, milliseconds since the epoch.
    public var storedAt: Int64

    public init(reference: String, manifestDigest: ContentDigest, manifest: ImageManifest, platform: Platform?, diffIDs: [ContentDigest], storedAt: Int64) {
        self.reference = reference
        self.manifestDigest = manifestDigest
        self.manifest = manifest
        self.platform = platform
        self.diffIDs = diffIDs
        self.storedAt = storedAt
    }

    /// The compressed size of all layers.
    public var size: Int64 { manifest.layers.reduce(0) { $0 + $1.size } }
}
