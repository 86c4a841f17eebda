/// The media types of the OCI image specification and of Docker's registry formats.
public enum MediaTypes {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// What to send in `Accept` when fetching a manifest: every type bosun reads (docker-registry 2.8 answers
    /// 404 or converts to schema 1 otherwise).
    public static let manifestAccept = [ociIndex, ociManifest, dockerManifestList, dockerManifest]

    /// How a layer is compressed.
    public enum Compression: Sendable, Hashable { case none, gzip, zstd }

    /// The compression of a layer media type; nil when it is not a layer bosun can unpack.
    public static func layerCompression(_ mediaType: String) -> Compression? {
        switch mediaType {
        case ociLayer, "application/vnd.docker.image.rootfs.diff.tar": return Compression.none
        case ociLayerGzip, dockerLayerGzip, ociLayerNondistributableGzip, dockerForeignLayerGzip: return .gzip
        case ociLayerZstd: return .zstd
        default: return nil
        }
    }
}
