/// One classic-BPF instruction, laid out like the kernel's `struct sock_filter` (and CBosunSys's
/// `struct bosun_sock_filter`): the runtime converts field by field before calling `bosun_seccomp_load`.
public struct BPFInstruction: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt16
    public var jt: UInt8
    public var jf: UInt8
    public var k: UInt32

    public init(code: UInt16, jt: UInt8 = 0, jf: UInt8 = 0, k: UInt32) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }

    /// `BPF_LD | BPF_W | BPF_ABS`: load the 32-bit word at `offset` in `seccomp_data`.
    public static func load(_ offset: UInt32) -> BPFInstruction { BPFInstruction(code: BPF.ldWAbs, k: offset) }
    /// `BPF_ALU | BPF_AND | BPF_K`.
    public static func and(_ mask: UInt32) -> BPFInstruction { BPFInstruction(code: BPF.aluAndK, k: mask) }
    /// `BPF_RET | BPF_K`.
    public static func ret(_ value: UInt32) -> BPFInstruction { BPFInstruction(code: BPF.retK, k: value) }
    /// `BPF_JMP | BPF_JA`: an unconditional jump over `offset` instructions (32-bit, so it reaches anywhere).
    public static func ja(_ offset: UInt32) -> BPFInstruction { BPFInstruction(code: BPF.ja, k: offset) }

    /// A disassembly in the style of `bpf_dbg` / `seccomp-tools`, e.g. `jeq #0x3b jt 1 jf 0`.
    public var description: String {
        let hex = "0x" + String(k, radix: 16)
        switch code {
        case BPF.ldWAbs: return "ld [\(k)]"
        case BPF.aluAndK: return "and #\(hex)"
        case BPF.retK: return "ret #\(hex)"
        case BPF.ja: return "ja +\(k)"
        case BPF.jeqK: return "jeq #\(hex) jt \(jt) jf \(jf)"
        case BPF.jgtK: return "jgt #\(hex) jt \(jt) jf \(jf)"
        case BPF.jgeK: return "jge #\(hex) jt \(jt) jf \(jf)"
        case BPF.jsetK: return "jset #\(hex) jt \(jt) jf \(jf)"
        default: return "code 0x\(String(code, radix: 16)) jt \(jt) jf \(jf) k \(hex)"
        }
    }
}

/// The opcodes, `seccomp_data` offsets and return values the compiler emits (values from `linux/filter.h`,
/// `linux/bpf_common.h`, `linux/seccomp.h` and `linux/audit.h`).
public enum BPF {
    public static let ldWAbs: UInt16 = 0x00 | 0x00 | 0x20  // BPF_LD | BPF_W | BPF_ABS
    public static let aluAndK: UInt16 = 0x04 | 0x50 | 0x00  // BPF_ALU | BPF_AND | BPF_K
    public static let retK: UInt16 = 0x06 | 0x00  // BPF_RET | BPF_K
    public static let ja: UInt16 = 0x05 | 0x00  // BPF_JMP | BPF_JA
    public static let jeqK: UInt16 = 0x05 | 0x10 | 0x00  // BPF_JMP | BPF_JEQ | BPF_K
    public static let jgtK: UInt16 = 0x05 | 0x20 | 0x00  // BPF_JMP | BPF_JGT | BPF_K
    public static let jgeK: UInt16 = 0x05 | 0x30 | 0x00  // BPF_JMP | BPF_JGE | BPF_K
    public static let jsetK: UInt16 = 0x05 | 0x40 | 0x00  // BPF_JMP | BPF_JSET | BPF_K

    /// `BPF_MAXINSNS`: the kernel refuses longer programs.
    public static let maxInstructions = 4096

    /// Offsets in `struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }`.
    public static let offsetNr: UInt32 = 0
    public static let offsetArch: UInt32 = 4
    public static let offsetInstructionPointer: UInt32 = 8
    /// Offset of the low 32-bit word of `args[index]` (little-endian: the high word is 4 bytes later).
    public static func offsetArgLow(_ index: Int) -> UInt32 { 16 + 8 * UInt32(index) }
    public static func offsetArgHigh(_ index: Int) -> UInt32 { 16 + 8 * UInt32(index) + 4 }

    public static let retKillProcess: UInt32 = 0x8000_0000
    public static let retKillThread: UInt32 = 0x0000_0000
    public static let retTrap: UInt32 = 0x0003_0000
    public static let retErrno: UInt32 = 0x0005_0000
    public static let retUserNotif: UInt32 = 0x7fc0_0000
    public static let retTrace: UInt32 = 0x7ff0_0000
    public static let retLog: UInt32 = 0x7ffc_0000
    public static let retAllow: UInt32 = 0x7fff_0000
    public static let retActionFull: UInt32 = 0xffff_0000
    public static let retData: UInt32 = 0x0000_ffff

    /// `__X32_SYSCALL_BIT`: x32 syscalls arrive with `AUDIT_ARCH_X86_64` and this bit set in `nr`.
    public static let x32SyscallBit: UInt32 = 0x4000_0000
}
