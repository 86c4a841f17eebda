/// An OCI runtime bundle's `config.json` (runtime-spec 1.1), the fields bosun reads and writes.
public struct RuntimeSpec: Sendable, Hashable, Codable {
    public var ociVersion: String = "1.1.0"
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: [String: String]?
    public var linux: Linux?

    public init() {}

    /// The container's process.
    public struct Process: Sendable, Hashable, Codable {
        public var terminal: Bool?
        public var consoleSize: ConsoleSize?
        public var user: User = User()
        public var args: [String]?
        public var commandLine: String?
        public var env: [String]?
        public var cwd: String = "/"
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var apparmorProfile: String?
        public var oomScoreAdj: Int?
        public var selinuxLabel: String?
        public init() {}
    }

    /// A terminal's size.
    public struct ConsoleSize: Sendable, Hashable, Codable {
        public var height: UInt
        public var width: UInt
    }

    /// The user the process runs as; `username` is resolved in the container's /etc/passwd when set.
    public struct User: Sendable, Hashable, Codable {
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0
        public var umask: UInt32?
        public var additionalGids: [UInt32]?
        public var username: String?
        public init(uid: UInt32 = 0, gid: UInt32 = 0) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// Capability sets, by name (`CAP_CHOWN`, …).
    public struct Capabilities: Sendable, Hashable, Codable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?
        public init() {}
    }

    /// A resource limit (`RLIMIT_NOFILE`, …).
    public struct Rlimit: Sendable, Hashable, Codable {
        public var type: String
        public var hard: UInt64
        public var soft: UInt64
        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    /// The root filesystem, relative to the bundle or absolute.
    public struct Root: Sendable, Hashable, Codable {
        public var path: String
        public var readonly: Bool?
        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    /// A mount, performed in order.
    public struct Mount: Sendable, Hashable, Codable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?
        public init(destination: String, type: String?, source: String?, options: [String]?) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    /// Lifecycle hooks.
    public struct Hooks: Sendable, Hashable, Codable {
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?
        public init() {}
    }

    /// One hook: a program run with the container's state on stdin.
    public struct Hook: Sendable, Hashable, Codable {
        public var path: String
        public var args: [String]?
        public var env: [String]?
        public var timeout: Int?
    }
}
