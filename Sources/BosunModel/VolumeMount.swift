/// A mount of a service: a named volume, a host path, or a tmpfs.
public struct VolumeMount: Sendable, Hashable, Codable {
    /// What is mounted.
    public enum Kind: String, Sendable, Hashable, Codable { case volume, bind, tmpfs }
    public var kind: Kind
    /// The volume name (project-scoped key as written), the absolute host path, or nil for tmpfs and anonymous volumes.
    public var source: String?
    /// Absolute path in the container.
    public var target: String
    public var readOnly = false
    /// For bind mounts: create the host path when it is missing (the short syntax does).
    public var createHostPath = false
    /// `rprivate` (default), `private`, `rshared`, `shared`, `rslave`, `slave`.
    public var propagation: String?
    /// For volumes: do not copy the image's content into an empty volume.
    public var noCopy = false
    /// For tmpfs: the size limit and mode.
    public var tmpfsSize: ByteSize?
    public var tmpfsMode: UInt32?

    public init(kind: Kind, source: String?, target: String, readOnly: Bool = false) {
        self.kind = kind
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    enum CodingKeys: String, CodingKey {
        case kind = "type", source, target, readOnly = "read_only", createHostPath = "create_host_path"
        case propagation, noCopy = "nocopy", tmpfsSize = "tmpfs_size", tmpfsMode = "tmpfs_mode"
    }
}
