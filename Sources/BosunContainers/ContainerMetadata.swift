public import Foundation

/// bosun's own record of a detached container, `<state>/containers/<name>/container.json`: what `ps`
/// shows and what the agent compares with desired state (labels carry project, service and config hash).
public struct ContainerMetadata: Sendable, Hashable, Codable {
    /// An image by the reference it was asked for and the manifest digest it resolved to.
    public struct Image: Sendable, Hashable, Codable {
        public var reference: String
        public var digest: String?
        public init(reference: String, digest: String? = nil) {
            self.reference = reference
            self.digest = digest
        }
    }

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
    /// Placeholder for the agent's restart policy (`unless-stopped`, …); bosun does not restart containers yet.
    public var restartPolicy: String?
    /// `none`, `host` or a bosun bridge network's name (the attachment lives until `rm`).
    public var network: String?
    /// Published ports as `ps` shows them (`0.0.0.0:8080->80/tcp`).
    public var ports: [String]
    /// The OCI bundle the container runs from.
    public var bundle: String

    public init(name: String, image: Image? = nil, command: [String], created: Date = Date(), stopSignal: String? = nil,
                stopTimeout: Double? = nil, log: LogOptions = LogOptions(), labels: [String: String] = [:], restartPolicy: String? = nil,
                network: String? = nil, ports: [String] = [], bundle: String) {
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

    static func read(_ path: String) -> ContainerMetadata? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(ContainerMetadata.self, from: data)
    }

    func write(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
