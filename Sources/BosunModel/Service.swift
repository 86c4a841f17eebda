/// One service of a project, normalised: every default applied, every value typed, ready to plan and hash.
public struct Service: Sendable, Hashable, Codable {
    public var name: String
    public var image: ImageReference
    /// Overrides the image's CMD; nil keeps it.
    public var command: [String]?
    /// Overrides the image's ENTRYPOINT; nil keeps it.
    public var entrypoint: [String]?
    /// Environment after interpolation and env_file merging, sorted by name when encoded.
    public var environment: [String: String] = [:]
    public var ports: [PortMapping] = []
    /// Ports exposed to other containers only, e.g. `8080/tcp`.
    public var expose: [String] = []
    public var volumes: [VolumeMount] = []
    public var networks: [NetworkAttachment] = []
    /// Network mode other than project networks: `none`, `host`, `service:NAME`, `container:NAME`.
    public var networkMode: String?
    public var dependsOn: [ServiceDependency] = []
    public var healthcheck: HealthCheck?
    public var restart: RestartPolicy = .no
    public var resources = ResourceLimits()
    public var user: String?
    public var groupAdd: [String] = []
    public var workingDir: String?
    public var hostname: String?
    public var domainname: String?
    public var stopSignal: String?
    public var stopGracePeriod: ComposeDuration?
    public var readOnly = false
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var privileged = false
    /// `no_new_privs` for the container's processes: off unless `security_opt: [no-new-privileges:true]` asks
    /// (or the host's policy requires it), as Docker and Podman do; setuid programs work as in the image.
    public var noNewPrivileges = false
    /// `unconfined`, or a path to a seccomp profile; nil is the default profile.
    public var seccompProfile: String?
    /// `security_opt: [apparmor=…]`: a profile name, or `unconfined`; nil is the host's default.
    public var apparmorProfile: String?
    /// `security_opt: [systempaths=unconfined]`: no masked or read-only paths; nil is Docker's default (masked).
    public var systemPathsUnconfined: Bool?
    public var labels: [String: String] = [:]
    public var initProcess = false
    public var ulimits: [Ulimit] = []
    public var sysctls: [String: String] = [:]
    public var shmSize: ByteSize?
    public var tmpfs: [String] = []
    public var logging = LoggingOptions()
    public var containerName: String?
    public var profiles: [String] = []
    /// `host:ip` entries for /etc/hosts.
    public var extraHosts: [String] = []
    public var dns: [String] = []
    public var dnsSearch: [String] = []
    public var secrets: [SecretMount] = []
    public var platform: String?
    public var pullPolicy: PullPolicy = .missing
    public var stdinOpen = false
    public var tty = false
    /// Host devices (Compose `devices:`); nil when none, so that services without any hash as before.
    public var devices: [DeviceMapping]?
    /// The content digest (`SourceDigest`) of every file or directory of the desired state's tree the service
    /// reads — relative bind sources, env_files, secrets' files — by its tree path as `./path`; nil when it
    /// reads none (so such services hash as before).
    public var sourceDigests: [String: String]?
    /// `deploy.update_config` as written (`RolloutPolicy.update` resolves it); not part of the config hash.
    public var updateConfig: UpdateConfig?
    /// `deploy.rollback_config` as written (`RolloutPolicy.rollback` resolves it); not part of the config hash.
    public var rollbackConfig: UpdateConfig?

    /// Which defaults a service was normalised with, recorded with each container (`InventoryContainer.defaults`)
    /// so that changing a default recreates nothing: 1 (no record) — `no_new_privileges` was on by default;
    /// 2 — Docker's defaults (`no_new_privileges` off unless asked).
    public static let defaultsGeneration = 2

    public init(name: String, image: ImageReference) {
        self.name = name
        self.image = image
    }

    enum CodingKeys: String, CodingKey {
        case name, image, command, entrypoint, environment, ports, expose, volumes, networks
        case networkMode = "network_mode", dependsOn = "depends_on", healthcheck, restart, resources, user
        case groupAdd = "group_add", workingDir = "working_dir", hostname, domainname
        case stopSignal = "stop_signal", stopGracePeriod = "stop_grace_period", readOnly = "read_only"
        case capAdd = "cap_add", capDrop = "cap_drop", privileged, noNewPrivileges = "no_new_privileges"
        case seccompProfile = "seccomp", apparmorProfile = "apparmor", systemPathsUnconfined = "systempaths_unconfined", labels, initProcess = "init", ulimits, sysctls, shmSize = "shm_size", tmpfs
        case logging, containerName = "container_name", profiles, extraHosts = "extra_hosts", dns
        case dnsSearch = "dns_search", secrets, platform, pullPolicy = "pull_policy", stdinOpen = "stdin_open", tty
        case devices, sourceDigests = "source_digests", updateConfig = "update_config", rollbackConfig = "rollback_config"
    }
}

/// When to pull a service's image.
public enum PullPolicy: String, Sendable, Hashable, Codable {
    case always, missing, never
    /// Pull when the tag may have moved: on every convergence for `:latest`-style tags is not assumed.
    case daily, weekly
}

/// A resource limit for the container's processes (`ulimit`), soft and hard.
public struct Ulimit: Sendable, Hashable, Codable {
    public var name: String
    public var soft: Int64
    public var hard: Int64
    public init(name: String, soft: Int64, hard: Int64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }
}

/// How a container's output is kept.
public struct LoggingOptions: Sendable, Hashable, Codable {
    /// `json-file` or `local`; both are written by bosun's monitor as JSON lines.
    public var driver = "json-file"
    /// Rotate when a file reaches this size; nil never rotates.
    public var maxSize: ByteSize?
    /// How many files to keep, including the current one.
    public var maxFile = 1
    public init() {}
    enum CodingKeys: String, CodingKey { case driver, maxSize = "max_size", maxFile = "max_file" }
}

/// A file-based secret mounted into a service.
public struct SecretMount: Sendable, Hashable, Codable {
    public var source: String
    /// Absolute path in the container; `/run/secrets/<source>` by default.
    public var target: String
    public var uid: String?
    public var gid: String?
    public var mode: UInt32?
    public init(source: String, target: String, uid: String? = nil, gid: String? = nil, mode: UInt32? = nil) {
        self.source = source
        self.target = target
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }
}
