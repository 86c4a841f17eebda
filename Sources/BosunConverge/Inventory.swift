public import BosunModel
public import BosunPlanner

/// What bosun created on this host, with the project and service each thing belongs to. bosun never touches
/// what is not listed here: observation starts from it, and pruning removes only from it.
public struct Inventory: Sendable, Hashable, Codable {
    /// The file's format version: 2 while a container is kept aside (`InventoryContainer.role`) or has an id
    /// that is not its name, so that an older bosun (which keys containers by name) refuses the file rather
    /// than see two containers of one name or miss one; 1 otherwise.
    public var version: Int { containers.contains { $0.key != $0.value.name || $0.value.role != nil } ? 2 : 1 }
    /// The highest format version this bosun reads.
    public static let newestVersion = 2
    /// Containers by id (their key on the host: directory, runtime id, cgroup, network record), each with the
    /// name users know it by. The id is the name for every container but one created beside another of its name.
    public var containers: [String: InventoryContainer] = [:]
    /// Networks by host name, with their project.
    public var networks: [String: InventoryItem] = [:]
    /// Named volumes by host name, with their project.
    public var volumes: [String: InventoryItem] = [:]
    /// Containers whose create began and has not been recorded yet, by id, with their project: noted before
    /// the create touches the host, so what a convergence killed mid-create leaves is known to be bosun's and
    /// is swept by the next convergence. Written as `pending_containers`, left out when empty.
    public var pendingContainers: [String: InventoryItem] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey { case version, containers, networks, volumes, pendingContainers = "pending_containers" }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let version = try values.decode(Int.self, forKey: .version)
        guard (1...Self.newestVersion).contains(version) else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: values,
                                                   debugDescription: "format version \(version) is not known: use a newer bosun")
        }
        containers = try values.decode([String: InventoryContainer].self, forKey: .containers)
        networks = try values.decode([String: InventoryItem].self, forKey: .networks)
        volumes = try values.decode([String: InventoryItem].self, forKey: .volumes)
        pendingContainers = try values.decodeIfPresent([String: InventoryItem].self, forKey: .pendingContainers) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(version, forKey: .version)
        try values.encode(containers, forKey: .containers)
        try values.encode(networks, forKey: .networks)
        try values.encode(volumes, forKey: .volumes)
        if !pendingContainers.isEmpty { try values.encode(pendingContainers, forKey: .pendingContainers) }
    }

    /// Notes that the container of `target` is about to be created as `id` (before anything is on the host).
    public mutating func recordPendingContainer(_ target: ContainerTarget, id: String? = nil) {
        pendingContainers[id ?? target.name] = InventoryItem(project: target.project.name)
    }

    /// Records the container of `target` as `id` (default: its name), replacing an older record of that id; it
    /// is no longer pending. `imageHealthcheck` is its image's HEALTHCHECK, kept when an earlier record has it
    /// and none is given.
    public mutating func recordContainer(_ target: ContainerTarget, id: String? = nil, imageHealthcheck: HealthCheck? = nil) {
        let id = id ?? target.name
        pendingContainers[id] = nil
        var record = InventoryContainer(name: target.name, project: target.project.name, service: target.service.name,
                                        configHash: target.configHash, spec: target.service)
        record.imageHealthcheck = imageHealthcheck ?? containers[id]?.imageHealthcheck
        record.defaults = Service.defaultsGeneration
        containers[id] = record
    }

    /// The id of the current container users know as `name` (not one kept aside), nil when bosun has none.
    public func containerID(named name: String) -> String? {
        if let record = containers[name], record.name == name, record.role == nil { return name }
        return containers.first { $0.value.name == name && $0.value.role == nil }?.key
    }

    /// The id of the container kept aside for `name`, nil when there is none.
    public func previousID(named name: String) -> String? {
        containers.first { $0.value.name == name && $0.value.role == .previous }?.key
    }

    public mutating func recordNetwork(_ name: String, project: String) { networks[name] = InventoryItem(project: project) }
    public mutating func recordVolume(_ name: String, project: String) { volumes[name] = InventoryItem(project: project) }

    /// Whether bosun created the container of this id (and so may stop or remove it).
    public func owns(container id: String) -> Bool { containers[id] != nil }
}

/// A container bosun created: what it was created from.
public struct InventoryContainer: Sendable, Hashable, Codable {
    public var name: String
    public var project: String
    public var service: String
    public var configHash: String
    /// The normalised service it was created from, so the planner diffs field by field.
    public var spec: Service
    /// Its image's HEALTHCHECK (Docker's form made a `HealthCheck`), when the image has one.
    public var imageHealthcheck: HealthCheck?
    /// The `Service.defaultsGeneration` its spec was normalised with; nil for records of a bosun before it (1).
    public var defaults: Int?
    /// nil for the current container of its name; `previous` for one a recreate kept aside (stopped, its
    /// network released) until the convergence's gates pass.
    public var role: Role?

    /// Where a container stands beside another of its name.
    public enum Role: String, Sendable, Hashable, Codable {
        case previous
    }

    public init(name: String, project: String, service: String, configHash: String, spec: Service) {
        self.name = name
        self.project = project
        self.service = service
        self.configHash = configHash
        self.spec = spec
    }

    /// The health check the container runs: the service's, the image's, or the image's test with the
    /// service's timings (`HealthCheck.effective`); nil when it has none or it is disabled.
    public var healthcheck: HealthCheck? {
        HealthCheck.effective(service: spec.healthcheck, image: imageHealthcheck).flatMap { $0.isDisabled ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey { case name, project, service, configHash = "config_hash", spec, imageHealthcheck = "image_healthcheck", defaults, role }
}

/// A network or volume bosun created, and the project it belongs to.
public struct InventoryItem: Sendable, Hashable, Codable {
    public var project: String
    public init(project: String) { self.project = project }
}

/// What is actually on the host for what the inventory lists: the real container states come from the
/// container monitor, networks from the network layer, volumes from the volume store.
public struct HostFacts: Sendable {
    /// A container's status, by id.
    public var containerStatus: @Sendable (String) async -> ObservedContainer.Status
    public var networkExists: @Sendable (String) async -> Bool
    public var volumeExists: @Sendable (String) async -> Bool
    /// References of the images in the store.
    public var images: @Sendable () async throws -> Set<String>

    public init(containerStatus: @escaping @Sendable (String) async -> ObservedContainer.Status,
                networkExists: @escaping @Sendable (String) async -> Bool,
                volumeExists: @escaping @Sendable (String) async -> Bool,
                images: @escaping @Sendable () async throws -> Set<String>) {
        self.containerStatus = containerStatus
        self.networkExists = networkExists
        self.volumeExists = volumeExists
        self.images = images
    }
}

extension Inventory {
    /// The observed state: what the inventory lists, as the host has it. A container the host lost is
    /// `missing` (the planner creates it again); a network or volume the host lost is left out (the planner
    /// creates it again).
    public func observe(_ facts: HostFacts) async throws -> ObservedState {
        var observed = ObservedState(images: try await facts.images())
        for (id, container) in containers.sorted(by: { ($0.value.name, $0.key) < ($1.value.name, $1.key) }) {
            let observedContainer = ObservedContainer(project: container.project, service: container.service, name: container.name, id: id,
                                                      spec: container.spec, status: await facts.containerStatus(id),
                                                      defaultsGeneration: container.defaults ?? 1)
            if container.role == .previous { observed.previous.append(observedContainer) } else { observed.containers.append(observedContainer) }
        }
        for name in networks.keys.sorted() where await facts.networkExists(name) { observed.networks.append(name) }
        for (name, item) in volumes.sorted(by: { $0.key < $1.key }) where await facts.volumeExists(name) {
            observed.volumes.append(name)
            observed.volumeOwners[name] = item.project
        }
        return observed
    }
}
