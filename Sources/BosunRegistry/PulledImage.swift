public import BosunImageSpec
public import BosunModel

/// An image whose manifest, config and layers are all in the blob store.
public struct PulledImage: Sendable, Hashable {
    /// The reference as asked for.
    public var reference: ImageReference
    /// What the reference resolved to: the digest of the index or manifest the tag names (pin with
    /// `name@resolvedDigest`).
    public var resolvedDigest: ContentDigest
    /// The digest of the image manifest used (the platform's manifest when the reference names an index).
    public var manifestDigest: ContentDigest
    public var manifest: ImageManifest
    /// The config blob's descriptor, and its parsed contents.
    public var config: Descriptor
    public var imageConfig: ImageConfig
    /// The layers, bottom first.
    public var layers: [Descriptor]
    /// The platform picked from an index; nil when the reference named a single manifest.
    public var platform: Platform?

    public init(reference: ImageReference, resolvedDigest: ContentDigest, manifestDigest: ContentDigest, manifest: ImageManifest,
                imageConfig: ImageConfig, platform: Platform? = nil) {
        self.reference = reference
        self.resolvedDigest = resolvedDigest
        self.manifestDigest = manifestDigest
        self.manifest = manifest
        self.config = manifest.config
        self.imageConfig = imageConfig
        self.layers = manifest.layers
        self.platform = platform
    }
}

/// Progress of one blob of a pull, for a progress display.
public struct PullProgress: Sendable, Hashable {
    /// Where a blob's transfer is.
    public enum Phase: Sendable, Hashable {
        /// Already in the store; nothing downloaded.
        case cached
        case downloading
        /// A transfer failed and is tried again (resuming where it stopped when the registry allows).
        case retrying
        case done
    }
    public var digest: ContentDigest
    /// 0-based layer index; nil for the config blob.
    public var layer: Int?
    public var phase: Phase
    public var completed: Int64
    public var total: Int64
}

/// Called from download tasks, possibly concurrently.
public typealias PullProgressHandler = @Sendable (PullProgress) -> Void

/// Pulls images into the blob store. `RegistryClient` is the real one; `RecordingImagePuller` is for tests.
public protocol ImagePuller: Sendable {
    /// Resolves `reference` and stores its manifest, config and layers (skipping blobs already stored).
    func pull(_ reference: ImageReference, progress: PullProgressHandler?) async throws(RegistryError) -> PulledImage
}
