public import BosunOCI

/// One validated argument condition (`SCMP_CMP_*`), and the BPF that tests it.
///
/// `seccomp_data.args[i]` is 64-bit. On 64-bit ABIs the high and low 32-bit words are compared in turn
/// (high first; the low word decides only when the high words are equal). On 32-bit ABIs only the low word is
/// compared, against the low 32 bits of the value, as libseccomp does.
public struct SeccompCondition: Sendable, Hashable {
    /// `SCMP_CMP_*`.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case notEqual = "SCMP_CMP_NE"
        case lessThan = "SCMP_CMP_LT"
        case lessOrEqual = "SCMP_CMP_LE"
        case equal = "SCMP_CMP_EQ"
        case greaterOrEqual = "SCMP_CMP_GE"
        case greaterThan = "SCMP_CMP_GT"
        case maskedEqual = "SCMP_CMP_MASKED_EQ"
    }

    public let index: Int
    public let op: Operator
    /// The operand; for `SCMP_CMP_MASKED_EQ` the mask.
    public let value: UInt64
    /// For `SCMP_CMP_MASKED_EQ` the expected value of `arg & mask` (0 when absent, as in Docker's profile).
    public let valueTwo: UInt64

    /// Validates an OCI argument condition.
    /// - Throws: `SeccompError` naming `subject` for an index above 5 or an unknown operator.
    public init(_ arg: RuntimeSpec.SyscallArg, subject: String) throws(SeccompError) {
        guard arg.index <= 5 else {
            throw SeccompError(
                .argumentIndexOutOfRange, "\(subject): argument index \(arg.index) is out of range",
                hint: "syscalls have arguments 0…5")
        }
        guard let op = Operator(rawValue: arg.op) else {
            throw SeccompError(
                .unknownOperator, "\(subject): unknown operator \"\(arg.op)\"",
                hint: "use one of " + Operator.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.init(index: Int(arg.index), op: op, value: arg.value, valueTwo: arg.valueTwo ?? 0)
    }

    public init(index: Int, op: Operator, value: UInt64, valueTwo: UInt64 = 0) {
        self.index = index
        self.op = op
        self.value = value
        self.valueTwo = valueTwo
    }

    /// Whether `argument` satisfies the condition (the reference semantics the BPF must match).
    public func matches(_ argument: UInt64, wide: Bool = true) -> Bool {
        let mask: UInt64 = wide ? .max : 0xffff_ffff
        let (a, v, two) = (argument & mask, value & mask, valueTwo & mask)
        switch op {
        case .notEqual: return a != v
        case .lessThan: return a < v
        case .lessOrEqual: return a <= v
        case .equal: return a == v
        case .greaterOrEqual: return a >= v
        case .greaterThan: return a > v
        case .maskedEqual: return a & v == two
        }
    }

    /// Emits the test; falls through when it holds, jumps to `fail` when it doesn't. Clobbers A.
    func emit(into asm: inout BPFAssembler, wide: Bool, fail: BPFAssembler.Label) {
        let pass = asm.label()
        let (high, low) = (UInt32(truncatingIfNeeded: value >> 32), UInt32(truncatingIfNeeded: value))
        let (highTwo, lowTwo) = (UInt32(truncatingIfNeeded: valueTwo >> 32), UInt32(truncatingIfNeeded: valueTwo))
        let lowWord = asm.label()
        if wide {
            // Decide on the high word where it can; jump to lowWord when the low word must decide.
            asm.load(BPF.offsetArgHigh(index))
            switch op {
            case .equal:
                asm.jump(.eq, high, lowWord, fail)
            case .notEqual:
                asm.jump(.eq, high, lowWord, pass)
            case .greaterThan, .greaterOrEqual:
                let equalHigh = asm.label()
                asm.jump(.gt, high, pass, equalHigh)
                asm.bind(equalHigh)
                asm.jump(.eq, high, lowWord, fail)
            case .lessThan, .lessOrEqual:
                let equalHigh = asm.label()
                asm.jump(.gt, high, fail, equalHigh)
                asm.bind(equalHigh)
                asm.jump(.eq, high, lowWord, pass)
            case .maskedEqual:
                asm.and(high)
                asm.jump(.eq, highTwo, lowWord, fail)
            }
        }
        asm.bind(lowWord)
        asm.load(BPF.offsetArgLow(index))
        switch op {
        case .equal: asm.jump(.eq, low, pass, fail)
        case .notEqual: asm.jump(.eq, low, fail, pass)
        case .greaterThan: asm.jump(.gt, low, pass, fail)
        case .greaterOrEqual: asm.jump(.ge, low, pass, fail)
        case .lessThan: asm.jump(.ge, low, fail, pass)
        case .lessOrEqual: asm.jump(.gt, low, fail, pass)
        case .maskedEqual:
            asm.and(low)
            asm.jump(.eq, lowTwo, pass, fail)
        }
        asm.bind(pass)
    }
}
