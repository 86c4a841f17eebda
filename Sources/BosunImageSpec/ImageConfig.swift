/// An image's configuration blob: the defaults a container inherits, and the layers' uncompressed digests.
public struct ImageConfig: Sendable, Hashable, Codable {
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: ExecutionConfig?
    public var rootfs: RootFS?
    public var created: String?

    /// What a container runs by default.
    public struct ExecutionConfig: Sendable, Hashable, Codable {
        public var user: String?
        public var env: [String]?
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var stopSignal: String?
        public var exposedPorts: [String: EmptyObject]?
        public var volumes: [String: EmptyObject]?
        public var healthcheck: HealthConfig?

        enum CodingKeys: String, CodingKey {
            case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd", workingDir = "WorkingDir"
            case labels = "Labels", stopSignal = "StopSignal", exposedPorts = "ExposedPorts", volumes = "Volumes"
            case healthcheck = "Healthcheck"
        }
    }

    /// Docker's HEALTHCHECK in an image config (durations in nanoseconds).
    public struct HealthConfig: Sendable, Hashable, Codable {
        public var test: [String]?
        public var interval: Int64?
        public var timeout: Int64?
        public var startPeriod: Int64?
        public var startInterval: Int64?
        public var retries: Int?
        enum CodingKeys: String, CodingKey {
            case test = "Test", interval = "Interval", timeout = "Timeout", startPeriod = "StartPeriod"
            case startInterval = "StartInterval", retries = "Retries"
        }
    }

    /// The uncompressed layer digests (diff IDs).
    public struct RootFS: Sendable, Hashable, Codable {
        public var type: String
        public var diffIDs: [ContentDigest]
        enum CodingKeys: String, CodingKey { case type, diffIDs = "diff_ids" }
    }

    /// `{}` in JSON.
    public struct EmptyObject: Sendable, Hashable, Codable {}
}
