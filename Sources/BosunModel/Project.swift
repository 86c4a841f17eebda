/// A Compose project: its services, networks, volumes and secrets, with bosun's options.
public struct Project: Sendable, Hashable, Codable {
    public var name: String
    /// The compose file(s) it was read from, tree-relative.
    public var files: [String]
    public var services: [Service]
    public var networks: [Network]
    public var volumes: [Volume]
    public var secrets: [Secret]
    /// Delete named volumes that disappear from the manifest (`x-bosun: {prune_volumes: true}`).
    public var pruneVolumes = false
    /// How the agent treats drift in this project (`x-bosun: {drift: …}`); nil: the agent's default.
    public var drift: DriftMode?
    /// The project's default `update_config` for its services (`x-bosun: {update_config: …}`).
    public var updateConfig: UpdateConfig?
    /// The project's default `rollback_config` for its services (`x-bosun: {rollback_config: …}`).
    public var rollbackConfig: UpdateConfig?

    public init(name: String, files: [String], services: [Service], networks: [Network], volumes: [Volume], secrets: [Secret]) {
        self.name = name
        self.files = files
        self.services = services
        self.networks = networks
        self.volumes = volumes
        self.secrets = secrets
    }

    enum CodingKeys: String, CodingKey {
        case name, files, services, networks, volumes, secrets, pruneVolumes = "prune_volumes", drift
        case updateConfig = "update_config", rollbackConfig = "rollback_config"
    }

    /// The tree-relative directory of its compose file (`""` at the root).
    public var directory: String {
        guard let file = files.first, let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[..<slash])
    }
}

/// A project network: a bridge bosun creates, or an existing one referenced by name.
public struct Network: Sendable, Hashable, Codable {
    /// The key in the project.
    public var key: String
    /// The name on the host: `<project>_<key>` unless `name:` is given.
    public var name: String
    public var external = false
    /// No route out of the network (`internal: true`).
    public var isInternal = false
    public var subnet: String?
    public var gateway: String?
    public var ipRange: String?
    public var labels: [String: String] = [:]
    public init(key: String, name: String) {
        self.key = key
        self.name = name
    }
    enum CodingKeys: String, CodingKey { case key, name, external, isInternal = "internal", subnet, gateway, ipRange = "ip_range", labels }
}

/// A named volume: a directory bosun manages, or an existing one referenced by name.
public struct Volume: Sendable, Hashable, Codable {
    public var key: String
    /// The name on the host: `<project>_<key>` unless `name:` is given.
    public var name: String
    public var external = false
    public var labels: [String: String] = [:]
    public init(key: String, name: String) {
        self.key = key
        self.name = name
    }
}

/// A secret backed by a file of the source tree.
public struct Secret: Sendable, Hashable, Codable {
    public var key: String
    /// Tree-relative path of the file.
    public var file: String
    public init(key: String, file: String) {
        self.key = key
        self.file = file
    }
}
