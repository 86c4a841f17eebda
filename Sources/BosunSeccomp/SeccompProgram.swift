/// A compiled seccomp filter: the instructions to install, the `SECCOMP_FILTER_FLAG_*` bits to install them
/// with, and the syscall names the policy mentions that some compiled ABI does not have.
///
/// The runtime installs it (after `bosun_set_no_new_privs()`, or with `CAP_SYS_ADMIN`) with
/// `bosun_seccomp_load(filters, UInt16(instructions.count), flags)`, converting each `BPFInstruction` to a
/// `bosun_sock_filter` field by field. With `SECCOMP_FILTER_FLAG_NEW_LISTENER` set, the call returns the
/// listener fd, which the runtime sends to `listenerPath`.
public struct SeccompProgram: Sendable, Hashable {
    public let instructions: [BPFInstruction]
    /// `SECCOMP_FILTER_FLAG_*` bits: the policy's `flags`, plus `NEW_LISTENER` when a rule uses `SCMP_ACT_NOTIFY`.
    public let flags: UInt32
    /// The ABIs the program dispatches on (x86_64, x32, x86); any other `seccomp_data.arch` is killed.
    public let architectures: [SeccompArchitecture]
    /// Per compiled ABI, the policy's syscall names that ABI does not have (ignored, as libseccomp and runc do;
    /// Docker's profile lists, e.g., `chown32` and `_llseek`, which exist only for 32-bit ABIs).
    public let ignoredSyscalls: [SeccompArchitecture: [String]]

    public init(
        instructions: [BPFInstruction], flags: UInt32, architectures: [SeccompArchitecture],
        ignoredSyscalls: [SeccompArchitecture: [String]]
    ) {
        self.instructions = instructions
        self.flags = flags
        self.architectures = architectures
        self.ignoredSyscalls = ignoredSyscalls
    }

    /// Names that no compiled ABI knows — most likely typos, worth a warning.
    public var unknownSyscalls: [String] {
        guard let first = architectures.first else { return [] }
        var unknown = Set(ignoredSyscalls[first] ?? [])
        for architecture in architectures.dropFirst() { unknown.formIntersection(ignoredSyscalls[architecture] ?? []) }
        return unknown.sorted()
    }

    /// Whether `bosun_seccomp_load` will return a user-notification listener fd.
    public var returnsListener: Bool { flags & SeccompFilterFlag.newListener.rawValue != 0 }
}

/// `SECCOMP_FILTER_FLAG_*` (linux/seccomp.h), by their OCI names.
public enum SeccompFilterFlag: UInt32, Sendable, CaseIterable {
    case tsync = 1
    case log = 2
    case specAllow = 4
    case newListener = 8
    case tsyncESRCH = 16
    case waitKillableRecv = 32

    public var name: String {
        switch self {
        case .tsync: "SECCOMP_FILTER_FLAG_TSYNC"
        case .log: "SECCOMP_FILTER_FLAG_LOG"
        case .specAllow: "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
        case .newListener: "SECCOMP_FILTER_FLAG_NEW_LISTENER"
        case .tsyncESRCH: "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"
        case .waitKillableRecv: "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
        }
    }

    public init?(name: String) {
        guard let flag = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = flag
    }
}
