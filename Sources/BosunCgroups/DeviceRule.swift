/// One device-access rule, as cgroup v1's `devices.allow`/`devices.deny` and OCI `linux.resources.devices`
/// spell it: allow or deny `access` to devices of `type` with `major`:`minor` (nil = any).
public struct DeviceRule: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case all, block, character
    }

    /// The access bits, as the kernel's device cgroup numbers them (`BPF_DEVCG_ACC_*`).
    public struct Access: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let mknod = Access(rawValue: 1)
        public static let read = Access(rawValue: 2)
        public static let write = Access(rawValue: 4)
        public static let all: Access = [.mknod, .read, .write]

        /// Letters of `rwm`; nil for any other letter. An empty text means all, as for OCI.
        public init?(letters: String) {
            var access: Access = []
            for letter in letters {
                switch letter {
                case "r": access.insert(.read)
                case "w": access.insert(.write)
                case "m": access.insert(.mknod)
                default: return nil
                }
            }
            self = access.isEmpty ? .all : access
        }

        var letters: String {
            (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
        }
    }

    public var allow: Bool
    public var kind: Kind
    public var major: Int64?
    public var minor: Int64?
    public var access: Access

    public init(allow: Bool, kind: Kind, major: Int64? = nil, minor: Int64? = nil, access: Access = .all) {
        self.allow = allow
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// The v1 file the rule is written to.
    public var legacyFile: String { allow ? "devices.allow" : "devices.deny" }

    /// The v1 line: `a`, or `c 1:3 rwm` with `*` for any number.
    public var legacyValue: String {
        func number(_ value: Int64?) -> String { value.map(String.init) ?? "*" }
        switch kind {
        case .all: return "a"
        case .block: return "b \(number(major)):\(number(minor)) \(access.letters)"
        case .character: return "c \(number(major)):\(number(minor)) \(access.letters)"
        }
    }

    public var description: String { "\(allow ? "allow" : "deny") \(legacyValue)" }
}
