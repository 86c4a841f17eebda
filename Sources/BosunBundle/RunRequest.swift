public import BosunImageSpec
public import BosunOCI

/// What `bosun run` (and later the agent) asks for: an image's defaults plus overrides, as plain data.
public struct RunRequest: Sendable, Hashable {
    /// How the container is networked.
    public enum NetworkMode: Sendable, Hashable {
        /// A network namespace of its own with only loopback.
        case none
        /// The host's network namespace.
        case host
        /// An existing network namespace (a bosun network attachment, another container's).
        case namespace(path: String)
    }

    public var imageConfig: ImageConfig
    /// Replaces the image's CMD (and, with `entrypoint`, its ENTRYPOINT).
    public var command: [String]?
    public var entrypoint: [String]?
    /// `KEY=VALUE` entries; later entries win over the image's.
    public var environment: [String] = []
    /// `uid[:gid]` or a user name from the container's /etc/passwd.
    public var user: String?
    public var workingDirectory: String?
    public var hostname: String
    public var readOnlyRootfs = false
    /// Extra mounts (binds of host paths, tmpfs), in order.
    public var mounts: [RuntimeSpec.Mount] = []
    public var network: NetworkMode = .none
    public var capabilitiesAdded: [String] = []
    public var capabilitiesDropped: [String] = []
    public var terminal = false
    /// The seccomp policy; nil runs unconfined (only when asked for explicitly).
    public var seccomp: RuntimeSpec.Seccomp?
    /// `no_new_privs` for the process (Docker's default: off).
    public var noNewPrivileges = false
    /// An AppArmor profile to run under (the runtime refuses it where the host has no AppArmor).
    public var apparmorProfile: String?
    /// No masked or read-only paths in /proc and /sys (`--security-opt systempaths=unconfined`).
    public var systemPathsUnconfined = false
    /// `linux.resources` as OCI JSON, applied by the runtime's cgroup layer.
    public var resources: JSONResources?
    /// `init: true`: a static init (`bosun-monitor`) bound read-only at `/.bosun/init` and run as PID 1 in
    /// front of the command, to reap zombies and forward signals (Docker's docker-init).
    public var initPath: String?

    public init(imageConfig: ImageConfig, hostname: String) {
        self.imageConfig = imageConfig
        self.hostname = hostname
    }
}

/// Resource limits in OCI terms (a small subset `bosun run` sets).
public struct JSONResources: Sendable, Hashable {
    public var memoryLimit: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var pidsLimit: Int64?
    public init(memoryLimit: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil, pidsLimit: Int64? = nil) {
        self.memoryLimit = memoryLimit
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.pidsLimit = pidsLimit
    }
}
