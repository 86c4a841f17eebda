public import BosunModel

extension RuntimeSpec {
    /// The Linux part of a runtime spec.
    public struct Linux: Sendable, Hashable, Codable {
        public var namespaces: [Namespace]?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        public var devices: [Device]?
        public var cgroupsPath: String?
        /// Resource limits, applied through the container's cgroup.
        public var resources: LinuxResources?
        public var sysctl: [String: String]?
        public var seccomp: Seccomp?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var rootfsPropagation: String?
        public var mountLabel: String?
        public var personality: JSONValue?
        public init() {}
    }

    /// A namespace to create, or to join when `path` is set.
    public struct Namespace: Sendable, Hashable, Codable {
        /// `pid`, `network`, `mount`, `ipc`, `uts`, `user`, `cgroup`, `time`.
        public var type: String
        public var path: String?
        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    /// A user-namespace ID mapping.
    public struct IDMapping: Sendable, Hashable, Codable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32
    }

    /// A device node to create in /dev.
    public struct Device: Sendable, Hashable, Codable {
        /// `c`, `b`, `u` or `p`.
        public var type: String
        public var path: String
        public var major: Int64?
        public var minor: Int64?
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
        public init(type: String, path: String, major: Int64?, minor: Int64?, fileMode: UInt32? = 0o666, uid: UInt32? = 0, gid: UInt32? = 0) {
            self.type = type
            self.path = path
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }

    /// A seccomp policy (`linux.seccomp`).
    public struct Seccomp: Sendable, Hashable, Codable {
        /// `SCMP_ACT_ALLOW`, `SCMP_ACT_ERRNO`, `SCMP_ACT_KILL`, `SCMP_ACT_KILL_PROCESS`, `SCMP_ACT_TRAP`,
        /// `SCMP_ACT_TRACE`, `SCMP_ACT_LOG`, `SCMP_ACT_NOTIFY`.
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        /// `SCMP_ARCH_X86_64`, `SCMP_ARCH_X86`, `SCMP_ARCH_X32`, `SCMP_ARCH_AARCH64`, …
        public var architectures: [String]?
        /// `SECCOMP_FILTER_FLAG_TSYNC`, `SECCOMP_FILTER_FLAG_LOG`, `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.
        public var flags: [String]?
        public var listenerPath: String?
        public var listenerMetadata: String?
        public var syscalls: [Syscall]?
        public init(defaultAction: String) { self.defaultAction = defaultAction }
    }

    /// A seccomp rule: an action for syscalls by name, optionally only when arguments match.
    public struct Syscall: Sendable, Hashable, Codable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SyscallArg]?
        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [SyscallArg]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    /// A condition on one syscall argument.
    public struct SyscallArg: Sendable, Hashable, Codable {
        public var index: UInt
        public var value: UInt64
        public var valueTwo: UInt64?
        /// `SCMP_CMP_NE`, `SCMP_CMP_LT`, `SCMP_CMP_LE`, `SCMP_CMP_EQ`, `SCMP_CMP_GE`, `SCMP_CMP_GT`, `SCMP_CMP_MASKED_EQ`.
        public var op: String
        public init(index: UInt, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }
}

/// A container's state as `state` prints it (runtime-spec "State").
public struct ContainerState: Sendable, Hashable, Codable {
    public var ociVersion: String = "1.1.0"
    public var id: String
    /// `creating`, `created`, `running`, `stopped`.
    public var status: String
    public var pid: Int32?
    public var bundle: String
    public var annotations: [String: String]?
    public init(id: String, status: String, pid: Int32?, bundle: String, annotations: [String: String]? = nil) {
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
    }
}
