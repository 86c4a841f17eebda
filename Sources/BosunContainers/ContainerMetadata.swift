public import BosunModel
public import Foundation

/// A container's one bosun-written record, `<state>/containers/<name>/container.json` (format version 2): what
/// `ps` shows, what the agent compares with desired state, and where the container is in its life (`phase`).
/// It replaces the five files of format 1 (`container.json`, `service.json`, `address`, `ports`,
/// `stopped-by-user`, `creator`; `LegacyContainerFiles` reads them). `ContainerRecordFile` reads and changes
/// it; the monitor's files (`exit.json`, `monitor.pid`, logs) and the runtime's `state.json` stay their writers'.
public struct ContainerMetadata: Sendable, Hashable, Codable {
    /// The format this bosun writes; a record of a higher version is refused (written by a newer bosun).
    public static let currentVersion = 2

    /// An image by the reference it was asked for and the manifest digest it resolved to.
    public struct Image: Sendable, Hashable, Codable {
        public var reference: String
        public var digest: String?
        public init(reference: String, digest: String? = nil) {
            self.reference = reference
            self.digest = digest
        }
    }

    /// Where a container is in its life, as bosun made it. Whether a started container still runs is the
    /// runtime's and the monitor's to say (`state.json`, `exit.json`).
    public enum Phase: String, Sendable, Hashable, Codable {
        /// The directory is being made (`creator` names the process making it).
        case preparing
        /// The bundle and the record are complete; never started, or its last run was forgotten to start again.
        case created
        /// A start was asked for: from here on the container is listed by `ps` and has (or had) a process.
        case started
    }

    /// What a service container of bosun's convergence was created from: enough to start it again in a
    /// later process (the agent after a restart, `bosun start`) and to compare it with desired state.
    public struct ServiceOrigin: Sendable, Hashable, Codable {
        public var project: Project
        public var service: Service
        public var configHash: String
        /// The image's own `StopSignal`, used when the service names none.
        public var imageStopSignal: String?
        public init(project: Project, service: Service, configHash: String, imageStopSignal: String?) {
            self.project = project
            self.service = service
            self.configHash = configHash
            self.imageStopSignal = imageStopSignal
        }
    }

    public var version: Int
    public var phase: Phase
    /// The container's name (also its runtime id).
    public var name: String
    public var image: Image?
    /// The process's argv, as config.json has it.
    public var command: [String]
    public var created: Date
    /// When the container's process started; nil until it did.
    public var started: Date?
    /// The signal `stop` sends first (`SIGTERM`, `SIGQUIT`, `9`); nil is SIGTERM.
    public var stopSignal: String?
    /// `stop`'s grace period in seconds; nil is 10.
    public var stopTimeout: Double?
    public var log: LogOptions
    public var labels: [String: String]
    /// The restart policy as the manifest says it (`unless-stopped`, …); the agent enforces it.
    public var restartPolicy: String?
    /// `none`, `host` or a bosun bridge network's name (the attachment lives until `rm`).
    public var network: String?
    /// Published ports as asked for, `ps` style (`0.0.0.0:8080->80/tcp`).
    public var ports: [String]
    /// The OCI bundle the container runs from.
    public var bundle: String
    /// `PID STARTTIME BOOTID` of the process that prepared the directory, so a half-made directory tells
    /// whether its maker still runs (`ContainerDirectory.creatorIsAlive`).
    public var creator: String?
    /// Set for a service container of bosun's convergence; nil for `bosun run`.
    public var service: ServiceOrigin?
    /// The IPv4 address of its first network, recorded at start (stale once it stopped).
    public var address: String?
    /// The ports published at start as the network layer chose them (ephemeral ports and ranges resolved).
    public var publishedPorts: [String]?
    /// When a person asked for it to stop (`bosun stop`): the agent's `unless-stopped` then leaves it
    /// stopped. Cleared when it starts again.
    public var stoppedByUser: Date?

    public init(name: String, image: Image? = nil, command: [String], created: Date = Date(), stopSignal: String? = nil,
                stopTimeout: Double? = nil, log: LogOptions = LogOptions(), labels: [String: String] = [:], restartPolicy: String? = nil,
                network: String? = nil, ports: [String] = [], bundle: String, phase: Phase = .started) {
        self.version = Self.currentVersion
        self.phase = phase
        self.name = name
        self.image = image
        self.command = command
        self.created = created
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        self.log = log
        self.labels = labels
        self.restartPolicy = restartPolicy
        self.network = network
        self.ports = ports
        self.bundle = bundle
    }

    enum CodingKeys: String, CodingKey {
        case version, phase, name, image, command, created, started, stopSignal, stopTimeout, log, labels, restartPolicy, network,
             ports, bundle, creator, service, address, publishedPorts, stoppedByUser
    }

    /// Reads format 2 and format 1's `container.json` (no version, no phase: it was written when a start was
    /// asked for, so its phase is `started`).
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        version = try values.decodeIfPresent(Int.self, forKey: .version) ?? 1
        phase = try values.decodeIfPresent(Phase.self, forKey: .phase) ?? .started
        name = try values.decode(String.self, forKey: .name)
        image = try values.decodeIfPresent(Image.self, forKey: .image)
        command = try values.decodeIfPresent([String].self, forKey: .command) ?? []
        created = try values.decode(Date.self, forKey: .created)
        started = try values.decodeIfPresent(Date.self, forKey: .started)
        stopSignal = try values.decodeIfPresent(String.self, forKey: .stopSignal)
        stopTimeout = try values.decodeIfPresent(Double.self, forKey: .stopTimeout)
        log = try values.decodeIfPresent(LogOptions.self, forKey: .log) ?? LogOptions()
        labels = try values.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        restartPolicy = try values.decodeIfPresent(String.self, forKey: .restartPolicy)
        network = try values.decodeIfPresent(String.self, forKey: .network)
        ports = try values.decodeIfPresent([String].self, forKey: .ports) ?? []
        bundle = try values.decode(String.self, forKey: .bundle)
        creator = try values.decodeIfPresent(String.self, forKey: .creator)
        service = try values.decodeIfPresent(ServiceOrigin.self, forKey: .service)
        address = try values.decodeIfPresent(String.self, forKey: .address)
        publishedPorts = try values.decodeIfPresent([String].self, forKey: .publishedPorts)
        stoppedByUser = try values.decodeIfPresent(Date.self, forKey: .stoppedByUser)
    }

    /// The record's bytes as `container.json` holds them (sorted keys, ISO 8601 dates).
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// A record decoded from `container.json`'s bytes.
    static func decoded(_ data: Data) throws -> ContainerMetadata {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ContainerMetadata.self, from: data)
    }
}
