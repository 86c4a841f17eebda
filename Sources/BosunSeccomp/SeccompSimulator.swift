/// The input a seccomp filter sees: `struct seccomp_data`.
public struct SeccompData: Sendable, Hashable {
    public var nr: Int32
    public var arch: UInt32
    public var instructionPointer: UInt64
    public var args: [UInt64]

    public init(nr: Int32, arch: UInt32 = SeccompArchitecture.x86_64.auditArch, instructionPointer: UInt64 = 0, args: [UInt64] = []) {
        self.nr = nr
        self.arch = arch
        self.instructionPointer = instructionPointer
        self.args = args + [UInt64](repeating: 0, count: max(0, 6 - args.count))
    }

    /// The 64 bytes the kernel hands the filter (little-endian, as on x86_64).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(nr)
        append(arch)
        append(instructionPointer)
        for arg in args.prefix(6) { append(arg) }
        return bytes
    }
}

/// A classic-BPF interpreter for seccomp filters, so tests (and `bosun` diagnostics) can check what a program
/// does without installing it. It first checks the program as the kernel's `seccomp_check_filter` would for
/// the instructions the compiler emits.
public enum SeccompSimulator {
    /// Why a program would be refused by the kernel, or failed while running.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let pc: Int
        public let message: String
        public var description: String { "bpf instruction \(pc): \(message)" }
    }

    /// Checks length, opcodes, load offsets, jump targets and that the program ends in `ret`.
    public static func validate(_ program: [BPFInstruction]) throws(Failure) {
        guard !program.isEmpty, program.count <= BPF.maxInstructions else {
            throw Failure(pc: 0, message: "program length \(program.count) is outside 1…\(BPF.maxInstructions)")
        }
        for (pc, instruction) in program.enumerated() {
            switch instruction.code {
            case BPF.ldWAbs:
                guard instruction.k < 64, instruction.k % 4 == 0 else {
                    throw Failure(pc: pc, message: "load offset \(instruction.k) outside seccomp_data")
                }
            case BPF.aluAndK, BPF.retK:
                break
            case BPF.ja:
                guard UInt64(pc) + 1 + UInt64(instruction.k) < UInt64(program.count) else {
                    throw Failure(pc: pc, message: "jump past the end")
                }
            case BPF.jeqK, BPF.jgtK, BPF.jgeK, BPF.jsetK:
                guard pc + 1 + Int(max(instruction.jt, instruction.jf)) < program.count else {
                    throw Failure(pc: pc, message: "conditional jump past the end")
                }
            default:
                throw Failure(pc: pc, message: "unsupported opcode 0x\(String(instruction.code, radix: 16))")
            }
        }
        guard program.last?.code == BPF.retK else {
            throw Failure(pc: program.count - 1, message: "the program does not end in ret")
        }
    }

    /// Runs a validated program and returns the filter's raw return value.
    public static func run(_ program: [BPFInstruction], on data: SeccompData) throws(Failure) -> UInt32 {
        try validate(program)
        let bytes = data.bytes
        var a: UInt32 = 0
        var pc = 0
        while pc < program.count {
            let instruction = program[pc]
            pc += 1
            switch instruction.code {
            case BPF.ldWAbs:
                let offset = Int(instruction.k)
                a = bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
            case BPF.aluAndK:
                a &= instruction.k
            case BPF.retK:
                return instruction.k
            case BPF.ja:
                pc += Int(instruction.k)
            default:
                let taken: Bool
                switch instruction.code {
                case BPF.jeqK: taken = a == instruction.k
                case BPF.jgtK: taken = a > instruction.k
                case BPF.jgeK: taken = a >= instruction.k
                default: taken = a & instruction.k != 0
                }
                pc += Int(taken ? instruction.jt : instruction.jf)
            }
        }
        throw Failure(pc: pc, message: "fell off the end")
    }

    /// Runs `program` and decodes the action.
    public static func action(_ program: SeccompProgram, _ data: SeccompData) throws(Failure) -> SeccompAction {
        SeccompAction(returnValue: try run(program.instructions, on: data))
    }
}
