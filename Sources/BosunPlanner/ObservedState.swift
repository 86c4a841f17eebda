public import BosunModel

/// One snapshot of what runs on the host, taken once before planning: what the planner compares the
/// desired state with. Only what bosun created appears here (it never touches anything else).
public struct ObservedState: Sendable, Hashable, Codable {
    public var containers: [ObservedContainer]
    /// Host names of the networks bosun created.
    public var networks: [String]
    /// Host names of the volumes bosun created.
    public var volumes: [String]
    /// Image references present in the image store.
    public var images: Set<String>
    /// The project that created each volume (volume host name → project name): a volume is pruned only when
    /// its own project opts in.
    public var volumeOwners: [String: String]
    /// Stopped containers the agent's restart policies keep stopped for now (a backoff, `on-failure` after a
    /// clean exit, a manual stop): the planner does not start them. Not part of the encoded form.
    public var keptStopped: Set<String> = []
    /// Containers a recreate kept aside (stopped, their network released) until the convergence's gates
    /// passed: a rollback starts one again instead of creating a container. Each has its own id; its name is
    /// the one its replacement has. Not part of the encoded form.
    public var previous: [ObservedContainer] = []

    public init(containers: [ObservedContainer] = [], networks: [String] = [], volumes: [String] = [], images: Set<String> = [],
                volumeOwners: [String: String] = [:]) {
        self.containers = containers
        self.networks = networks
        self.volumes = volumes
        self.images = images
        self.volumeOwners = volumeOwners
    }

    enum CodingKeys: String, CodingKey { case containers, networks, volumes, images, volumeOwners }

    /// Nothing: a fresh host.
    public static let empty = ObservedState()
}

/// A container bosun created, as observed: the spec it was created from, and how it is doing.
public struct ObservedContainer: Sendable, Hashable, Codable {
    /// What a container is doing.
    public enum Status: Sendable, Hashable, Codable {
        case created, running, exited(code: Int32), missing
    }

    public var project: String
    public var service: String
    /// The name users know it by (`container_name`, or `<project>-<service>-1`).
    public var name: String
    /// Its key on the host: its directory, runtime id, cgroup and network record. The same as `name` for every
    /// container but one created beside another of its name (docs/design/container-identity.md).
    public var id: String
    /// The normalised service it was created from (its config hash is recomputed from it).
    public var spec: Service
    public var status: Status
    /// For a container recorded without source digests (made before bosun hashed the repository files a
    /// service reads): the digests of what it actually mounts, read from the host where it can be. Not encoded.
    public var sourceDigestsOnDisk: [String: String]?
    /// The `Service.defaultsGeneration` its spec was normalised with (1 for records of an older bosun). Not encoded.
    public var defaultsGeneration: Int

    enum CodingKeys: String, CodingKey { case project, service, name, id, spec, status }

    public init(project: String, service: String, name: String, id: String? = nil, spec: Service, status: Status,
                defaultsGeneration: Int = Service.defaultsGeneration) {
        self.project = project
        self.service = service
        self.name = name
        self.id = id ?? name
        self.spec = spec
        self.status = status
        self.defaultsGeneration = defaultsGeneration
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(project: try values.decode(String.self, forKey: .project), service: try values.decode(String.self, forKey: .service),
                  name: try values.decode(String.self, forKey: .name), id: try values.decodeIfPresent(String.self, forKey: .id),
                  spec: try values.decode(Service.self, forKey: .spec), status: try values.decode(Status.self, forKey: .status))
    }

    public func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(project, forKey: .project)
        try values.encode(service, forKey: .service)
        try values.encode(name, forKey: .name)
        if id != name { try values.encode(id, forKey: .id) }
        try values.encode(spec, forKey: .spec)
        try values.encode(status, forKey: .status)
    }
}
