extension RuntimeSpec {
    /// `linux.resources`: the cgroup limits of a container (runtime-spec `config-linux.md`, "Control groups").
    /// Every field is optional; unknown keys are ignored, so older and newer configs decode.
    public struct LinuxResources: Sendable, Hashable, Codable {
        /// Device cgroup rules, applied in the listed order.
        public var devices: [DeviceRule]?
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var blockIO: BlockIO?
        public var hugepageLimits: [HugepageLimit]?
        public var network: Network?
        /// cgroup v2 interface files and their values, written verbatim (`"memory.high": "1G"`).
        public var unified: [String: String]?
        public init() {}

        /// `{"allow": false, "access": "rwm"}` denies everything; absent type/major/minor mean all (`a`, `*`).
        public struct DeviceRule: Sendable, Hashable, Codable {
            public var allow: Bool
            /// `a`, `c` or `b`.
            public var type: String?
            public var major: Int64?
            public var minor: Int64?
            /// Any of `r`, `w`, `m`.
            public var access: String?
            public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
                self.allow = allow
                self.type = type
                self.major = major
                self.minor = minor
                self.access = access
            }
        }

        /// Byte values; `swap` is memory plus swap, as on cgroup v1 (`-1` unlimited).
        public struct Memory: Sendable, Hashable, Codable {
            public var limit: Int64?
            public var reservation: Int64?
            public var swap: Int64?
            public var kernel: Int64?
            public var kernelTCP: Int64?
            public var swappiness: UInt64?
            public var disableOOMKiller: Bool?
            public var useHierarchy: Bool?
            public var checkBeforeUpdate: Bool?
            public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil) {
                self.limit = limit
                self.reservation = reservation
                self.swap = swap
            }
        }

        /// CPU shares, quota and period, realtime limits and cpuset.

        public struct CPU: Sendable, Hashable, Codable {
            public var shares: UInt64?
            /// Microseconds per `period`; `-1` unlimited.
            public var quota: Int64?
            public var burst: UInt64?
            public var period: UInt64?
            public var realtimeRuntime: Int64?
            public var realtimePeriod: UInt64?
            /// CPU and memory-node lists (`0-2,4`).
            public var cpus: String?
            public var mems: String?
            public var idle: Int64?
            public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil) {
                self.shares = shares
                self.quota = quota
                self.period = period
                self.cpus = cpus
            }
        }

        /// The maximum number of processes.

        public struct Pids: Sendable, Hashable, Codable {
            /// Zero or negative is unlimited.
            public var limit: Int64?
            public init(limit: Int64?) { self.limit = limit }
        }

        /// Block I/O weights and throttles.

        public struct BlockIO: Sendable, Hashable, Codable {
            public var weight: UInt16?
            public var leafWeight: UInt16?
            public var weightDevice: [WeightDevice]?
            public var throttleReadBpsDevice: [ThrottleDevice]?
            public var throttleWriteBpsDevice: [ThrottleDevice]?
            public var throttleReadIOPSDevice: [ThrottleDevice]?
            public var throttleWriteIOPSDevice: [ThrottleDevice]?
            public init() {}

            /// A per-device block I/O weight.

            public struct WeightDevice: Sendable, Hashable, Codable {
                public var major: Int64
                public var minor: Int64
                public var weight: UInt16?
                public var leafWeight: UInt16?
                public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
                    self.major = major
                    self.minor = minor
                    self.weight = weight
                    self.leafWeight = leafWeight
                }
            }

            /// A per-device block I/O rate limit.

            public struct ThrottleDevice: Sendable, Hashable, Codable {
                public var major: Int64
                public var minor: Int64
                public var rate: UInt64
                public init(major: Int64, minor: Int64, rate: UInt64) {
                    self.major = major
                    self.minor = minor
                    self.rate = rate
                }
            }
        }

        /// A limit on huge pages of one size.

        public struct HugepageLimit: Sendable, Hashable, Codable {
            /// `2MB`, `1GB`.
            public var pageSize: String
            public var limit: UInt64
            public init(pageSize: String, limit: UInt64) {
                self.pageSize = pageSize
                self.limit = limit
            }
        }

        /// net_cls class ID and net_prio priorities.

        public struct Network: Sendable, Hashable, Codable {
            public var classID: UInt32?
            public var priorities: [Priority]?
            public init() {}

            /// A net_prio priority for one interface.

            public struct Priority: Sendable, Hashable, Codable {
                public var name: String
                public var priority: UInt32
                public init(name: String, priority: UInt32) {
                    self.name = name
                    self.priority = priority
                }
            }
        }
    }
}
