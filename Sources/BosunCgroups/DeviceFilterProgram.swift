/// cgroup v2 has no `devices.allow`: device access is decided by an eBPF program of type
/// `BPF_PROG_TYPE_CGROUP_DEVICE` attached to the cgroup. This builds it from the same ordered rules v1 takes,
/// with v1's meaning: the last rule that matches a request decides, and a request no rule matches is allowed
/// (a new v1 cgroup allows everything until a rule says otherwise). An allow rule matches a request whose
/// access it covers wholly; a deny rule one that asks for any access it names; `a` matches everything, as in v1. Pure: the instructions are
/// data, loaded by `CgroupFileSystem.attachDeviceFilter`.
public enum DeviceFilterProgram {
    /// One eBPF instruction (`struct bpf_insn`).
    public struct Instruction: Sendable, Hashable {
        public var code: UInt8
        public var destination: UInt8
        public var source: UInt8
        public var offset: Int16
        public var immediate: Int32

        init(_ code: UInt8, _ destination: UInt8 = 0, _ source: UInt8 = 0, _ offset: Int16 = 0, _ immediate: Int32 = 0) {
            self.code = code
            self.destination = destination
            self.source = source
            self.offset = offset
            self.immediate = immediate
        }
    }

    // Opcodes (linux/bpf_common.h, linux/bpf.h).
    static let loadWord: UInt8 = 0x61      // BPF_LDX | BPF_MEM | BPF_W
    static let and32Immediate: UInt8 = 0x54 // BPF_ALU | BPF_AND | BPF_K
    static let shiftRight32Immediate: UInt8 = 0x74 // BPF_ALU | BPF_RSH | BPF_K
    static let move32Register: UInt8 = 0xbc // BPF_ALU | BPF_MOV | BPF_X
    static let move64Immediate: UInt8 = 0xb7 // BPF_ALU64 | BPF_MOV | BPF_K
    static let jumpNotEqualImmediate: UInt8 = 0x55 // BPF_JMP | BPF_JNE | BPF_K
    static let jumpEqualImmediate: UInt8 = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
    static let jumpNotEqualRegister: UInt8 = 0x5d // BPF_JMP | BPF_JNE | BPF_X
    static let exit: UInt8 = 0x95 // BPF_JMP | BPF_EXIT

    /// `BPF_DEVCG_DEV_BLOCK`, `BPF_DEVCG_DEV_CHAR`.
    static func deviceType(_ kind: DeviceRule.Kind) -> Int32? {
        switch kind {
        case .all: nil
        case .block: 1
        case .character: 2
        }
    }

    /// The program for `rules` (in v1 order). Registers after the prologue: r2 device type, r3 access, r4 major,
    /// r5 minor (from `struct bpf_cgroup_dev_ctx`: `access_type` = access << 16 | type, `major`, `minor`).
    public static func instructions(for rules: [DeviceRule]) -> [Instruction] {
        var program: [Instruction] = [
            Instruction(loadWord, 2, 1, 0),
            Instruction(and32Immediate, 2, 0, 0, 0xffff),
            Instruction(loadWord, 3, 1, 0),
            Instruction(shiftRight32Immediate, 3, 0, 0, 16),
            Instruction(loadWord, 4, 1, 4),
            Instruction(loadWord, 5, 1, 8),
        ]
        // The last matching rule decides: test them from the last.
        for rule in rules.reversed() {
            var checks: [Instruction] = []
            if let type = deviceType(rule.kind) { checks.append(Instruction(jumpNotEqualImmediate, 2, 0, 0, type)) }
            if rule.kind != .all, rule.access != .all {
                checks.append(Instruction(move32Register, 1, 3))
                checks.append(Instruction(and32Immediate, 1, 0, 0, rule.access.rawValue))
                // Allow: every access asked for is covered (r1 == r3). Deny: some is named (r1 != 0).
                checks.append(rule.allow ? Instruction(jumpNotEqualRegister, 1, 3) : Instruction(jumpEqualImmediate, 1, 0, 0, 0))
            }
            if rule.kind != .all, let major = rule.major { checks.append(Instruction(jumpNotEqualImmediate, 4, 0, 0, Int32(truncatingIfNeeded: major))) }
            if rule.kind != .all, let minor = rule.minor { checks.append(Instruction(jumpNotEqualImmediate, 5, 0, 0, Int32(truncatingIfNeeded: minor))) }
            // Each failed check jumps past the rest of the block: its remaining checks and the two-instruction verdict.
            for index in checks.indices where checks[index].code != move32Register && checks[index].code != and32Immediate {
                checks[index].offset = Int16(checks.count - index - 1 + 2)
            }
            program += checks
            program.append(Instruction(move64Immediate, 0, 0, 0, rule.allow ? 1 : 0))
            program.append(Instruction(exit))
            // A rule that matches everything (`a`) decides every request left: what follows would be unreachable,
            // which the verifier refuses.
            if checks.isEmpty { return program }
        }
        program.append(Instruction(move64Immediate, 0, 0, 0, 1))
        program.append(Instruction(exit))
        return program
    }
}
