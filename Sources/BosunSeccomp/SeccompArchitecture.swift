/// A libseccomp architecture name (`SCMP_ARCH_*`) with its `AUDIT_ARCH_*` value.
///
/// The compiler targets an x86_64 kernel, which runs three ABIs: native x86_64, i386 (`AUDIT_ARCH_I386`) and
/// x32 (`AUDIT_ARCH_X86_64` with bit 30 set in `nr`). All three have their own syscall tables and are compiled
/// fully. Other architectures are accepted in a policy (Docker lists them for other hosts) but never occur on
/// an x86_64 kernel, so they produce no code; an architecture the kernel reports that the policy does not
/// list is killed (`SECCOMP_RET_KILL_PROCESS`), as libseccomp does.
public enum SeccompArchitecture: String, Sendable, Hashable, CaseIterable, Comparable {
    case x86_64 = "SCMP_ARCH_X86_64"
    case x86 = "SCMP_ARCH_X86"
    case x32 = "SCMP_ARCH_X32"
    case aarch64 = "SCMP_ARCH_AARCH64"
    case arm = "SCMP_ARCH_ARM"
    case mips = "SCMP_ARCH_MIPS"
    case mips64 = "SCMP_ARCH_MIPS64"
    case mips64n32 = "SCMP_ARCH_MIPS64N32"
    case mipsel = "SCMP_ARCH_MIPSEL"
    case mipsel64 = "SCMP_ARCH_MIPSEL64"
    case mipsel64n32 = "SCMP_ARCH_MIPSEL64N32"
    case ppc = "SCMP_ARCH_PPC"
    case ppc64 = "SCMP_ARCH_PPC64"
    case ppc64le = "SCMP_ARCH_PPC64LE"
    case s390 = "SCMP_ARCH_S390"
    case s390x = "SCMP_ARCH_S390X"
    case parisc = "SCMP_ARCH_PARISC"
    case parisc64 = "SCMP_ARCH_PARISC64"
    case riscv64 = "SCMP_ARCH_RISCV64"
    case loongarch64 = "SCMP_ARCH_LOONGARCH64"

    /// The architecture this process runs on, if the compiler has tables for it (x86_64 only).
    public static var host: SeccompArchitecture? {
        #if arch(x86_64)
        .x86_64
        #else
        nil
        #endif
    }

    /// `AUDIT_ARCH_*` as found in `seccomp_data.arch` (x32 shares x86_64's value).
    public var auditArch: UInt32 {
        switch self {
        case .x86_64, .x32: 0xC000_003E
        case .x86: 0x4000_0003
        case .aarch64: 0xC000_00B7
        case .arm: 0x4000_0028
        case .mips: 0x0000_0008
        case .mips64: 0x8000_0008
        case .mips64n32: 0xA000_0008
        case .mipsel: 0x4000_0008
        case .mipsel64: 0xC000_0008
        case .mipsel64n32: 0xE000_0008
        case .ppc: 0x0000_0014
        case .ppc64: 0x8000_0015
        case .ppc64le: 0xC000_0015
        case .s390: 0x0000_0016
        case .s390x: 0x8000_0016
        case .parisc: 0x0000_000F
        case .parisc64: 0x8000_000F
        case .riscv64: 0xC000_00F3
        case .loongarch64: 0xC000_0102
        }
    }

    /// Whether syscall arguments are 64-bit (compared as two words) or 32-bit (the low word only, as
    /// libseccomp does for 32-bit ABIs).
    public var hasWideArguments: Bool {
        switch self {
        case .x86, .arm, .mips, .mipsel, .ppc, .s390, .parisc: false
        default: true
        }
    }

    /// The syscall name → `seccomp_data.nr` table, for the ABIs an x86_64 kernel runs.
    public var syscallTable: [String: UInt32]? {
        switch self {
        case .x86_64: SyscallTableX86_64.numbers
        case .x86: SyscallTableI386.numbers
        case .x32: SyscallTableX32.numbers
        default: nil
        }
    }

    /// The ABIs a kernel of this architecture runs natively and in compatibility mode.
    public var kernelABIs: [SeccompArchitecture] {
        switch self {
        case .x86_64: [.x86_64, .x32, .x86]
        default: [self]
        }
    }

    public static func < (lhs: SeccompArchitecture, rhs: SeccompArchitecture) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
