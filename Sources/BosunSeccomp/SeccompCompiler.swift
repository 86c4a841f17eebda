public import BosunOCI

/// Compiles an OCI `linux.seccomp` policy into a classic-BPF seccomp filter for an x86_64 kernel.
///
/// Layout of the program:
/// 1. `seccomp_data.arch` selects an ABI section: `AUDIT_ARCH_X86_64` (x86_64, or x32 when bit 30 of `nr` is
///    set) and `AUDIT_ARCH_I386`, each only if the policy lists it (no list means x86_64 only). Anything else —
///    an unlisted ABI, or an x32 call when only x86_64 is listed — returns `SECCOMP_RET_KILL_PROCESS`, as
///    libseccomp does for a bad architecture.
/// 2. Each section binary-searches `nr` over the syscalls the policy names (`jge` splits) down to leaves of a
///    few `jeq`s, so a lookup costs about log2(n) + 8 comparisons.
/// 3. A syscall's rules run in policy order; the first whose argument conditions all hold (AND) returns its
///    action (rules for the same syscall are ORed). A syscall no rule matches gets the default action.
///
/// Syscall names an ABI doesn't have are skipped for that ABI and reported in `SeccompProgram.ignoredSyscalls`.
public enum SeccompCompiler {
    /// Syscalls per binary-search leaf: tested with a row of `jeq`s.
    static let leafSize = 8

    /// Compiles `policy` for a kernel of `architecture` (only `.x86_64` has syscall tables).
    /// - Throws: `SeccompError` for an unknown action, operator, architecture or flag, an argument index above
    ///   5, an errno above 4095, `SCMP_ACT_NOTIFY` without `listenerPath` or as the default action, or a
    ///   program longer than the kernel's 4096 instructions.
    public static func compile(
        _ policy: RuntimeSpec.Seccomp, architecture: SeccompArchitecture = .x86_64
    ) throws(SeccompError) -> SeccompProgram {
        guard architecture == .x86_64 else {
            throw SeccompError(
                .unsupportedTarget, "seccomp: no syscall tables for a \(architecture.rawValue) kernel",
                hint: "bosun compiles seccomp filters for x86_64 hosts only")
        }
        let defaultAction = try SeccompAction(
            name: policy.defaultAction, errnoRet: policy.defaultErrnoRet,
            subject: SeccompError.subject(rule: nil, names: []))
        if defaultAction == .notify {
            throw SeccompError(
                .notifyAsDefaultAction, "seccomp default action: SCMP_ACT_NOTIFY cannot be the default action",
                hint: "the runtime's own syscalls would wait for the listener")
        }
        var flags: UInt32 = 0
        for name in policy.flags ?? [] {
            guard let flag = SeccompFilterFlag(name: name) else {
                throw SeccompError(
                    .unknownFlag, "seccomp: unknown flag \"\(name)\"",
                    hint: "use one of " + SeccompFilterFlag.allCases.map(\.name).joined(separator: ", "))
            }
            flags |= flag.rawValue
        }
        let rules = try validatedRules(policy)
        if rules.contains(where: { $0.action == .notify }) {
            guard let path = policy.listenerPath, !path.isEmpty else {
                let index = rules.firstIndex(where: { $0.action == .notify })!
                throw SeccompError(
                    .notifyWithoutListener,
                    "\(SeccompError.subject(rule: index, names: rules[index].names)): SCMP_ACT_NOTIFY needs a listenerPath",
                    hint: "set linux.seccomp.listenerPath to the socket that receives the listener fd")
            }
            flags |= SeccompFilterFlag.newListener.rawValue
        }
        let (tsync, listener, esrch) = (SeccompFilterFlag.tsync, SeccompFilterFlag.newListener, SeccompFilterFlag.tsyncESRCH)
        if flags & tsync.rawValue != 0, flags & listener.rawValue != 0, flags & esrch.rawValue == 0 {
            throw SeccompError(
                .conflictingFlags, "seccomp: \(tsync.name) with a listener needs \(esrch.name)",
                hint: "the kernel refuses TSYNC together with NEW_LISTENER (SCMP_ACT_NOTIFY) otherwise")
        }
        let abis = try abis(of: policy, kernel: architecture)

        var asm = BPFAssembler()
        var ignored: [SeccompArchitecture: [String]] = [:]
        let x86_64Family = abis.contains(.x86_64) || abis.contains(.x32)
        let (section64, section32) = (asm.label(), asm.label())
        asm.load(BPF.offsetArch)
        if x86_64Family {
            let next = asm.label()
            asm.jump(.eq, SeccompArchitecture.x86_64.auditArch, section64, next)
            asm.bind(next)
        }
        if abis.contains(.x86) {
            let next = asm.label()
            asm.jump(.eq, SeccompArchitecture.x86.auditArch, section32, next)
            asm.bind(next)
        }
        asm.ret(BPF.retKillProcess)
        if x86_64Family {
            let (native, x32) = (asm.label(), asm.label())
            asm.bind(section64)
            asm.load(BPF.offsetNr)
            asm.jump(.ge, BPF.x32SyscallBit, x32, native)
            asm.bind(native)
            if abis.contains(.x86_64) {
                ignored[.x86_64] = emitSection(.x86_64, rules: rules, default: defaultAction, into: &asm)
            } else {
                asm.ret(BPF.retKillProcess)
            }
            asm.bind(x32)
            if abis.contains(.x32) {
                ignored[.x32] = emitSection(.x32, rules: rules, default: defaultAction, into: &asm)
            } else {
                asm.ret(BPF.retKillProcess)
            }
        }
        if abis.contains(.x86) {
            asm.bind(section32)
            asm.load(BPF.offsetNr)
            ignored[.x86] = emitSection(.x86, rules: rules, default: defaultAction, into: &asm)
        }
        let instructions = asm.assemble()
        guard instructions.count <= BPF.maxInstructions else {
            throw SeccompError(
                .programTooLong,
                "seccomp: the filter needs \(instructions.count) instructions, more than the kernel's \(BPF.maxInstructions)",
                hint: "list fewer architectures or merge rules")
        }
        return SeccompProgram(instructions: instructions, flags: flags, architectures: abis, ignoredSyscalls: ignored)
    }

    /// A policy rule with its action and conditions checked.
    struct Rule {
        let names: [String]
        let action: SeccompAction
        let conditions: [SeccompCondition]
    }

    /// What happens for one syscall: its rules in order, then the default. Hashable so that syscalls with the
    /// same treatment share code.
    struct Chain: Hashable {
        var steps: [Step] = []

        struct Step: Hashable {
            let conditions: [SeccompCondition]
            let action: UInt32
        }
    }

    static func validatedRules(_ policy: RuntimeSpec.Seccomp) throws(SeccompError) -> [Rule] {
        var rules: [Rule] = []
        for (index, syscall) in (policy.syscalls ?? []).enumerated() {
            let subject = SeccompError.subject(rule: index, names: syscall.names)
            let action = try SeccompAction(name: syscall.action, errnoRet: syscall.errnoRet, subject: subject)
            var conditions: [SeccompCondition] = []
            for arg in syscall.args ?? [] { conditions.append(try SeccompCondition(arg, subject: subject)) }
            rules.append(Rule(names: syscall.names, action: action, conditions: conditions))
        }
        return rules
    }

    /// The ABIs to compile: the policy's architectures the kernel runs (native only when none are listed).
    static func abis(
        of policy: RuntimeSpec.Seccomp, kernel: SeccompArchitecture
    ) throws(SeccompError) -> [SeccompArchitecture] {
        guard let names = policy.architectures, !names.isEmpty else { return [kernel] }
        var abis = Set<SeccompArchitecture>()
        for name in names {
            guard let architecture = SeccompArchitecture(rawValue: name) else {
                throw SeccompError(
                    .unknownArchitecture, "seccomp: unknown architecture \"\(name)\"",
                    hint: "use SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, …")
            }
            if kernel.kernelABIs.contains(architecture) { abis.insert(architecture) }
        }
        return abis.sorted()
    }

    /// Emits the dispatch for one ABI (A holds `nr`); returns the names the ABI doesn't have.
    static func emitSection(
        _ abi: SeccompArchitecture, rules: [Rule], default defaultAction: SeccompAction, into asm: inout BPFAssembler
    ) -> [String] {
        let table = abi.syscallTable ?? [:]
        var chains: [UInt32: Chain] = [:]
        var ignored = Set<String>()
        for rule in rules {
            let conditions = abi.hasWideArguments ? rule.conditions : rule.conditions.map(\.narrowed)
            let step = Chain.Step(conditions: conditions, action: rule.action.returnValue)
            for name in Set(rule.names) {
                guard let nr = table[name] else {
                    ignored.insert(name)
                    continue
                }
                var chain = chains[nr, default: Chain()]
                // Steps after an unconditional one can never run.
                if chain.steps.last.map({ !$0.conditions.isEmpty }) ?? true { chain.steps.append(step) }
                chains[nr] = chain
            }
        }
        let entries = chains.sorted { $0.key < $1.key }
        emitTree(entries[...], wide: abi.hasWideArguments, default: defaultAction.returnValue, into: &asm)
        return ignored.sorted()
    }

    static func emitTree(
        _ entries: ArraySlice<(key: UInt32, value: Chain)>, wide: Bool, default defaultValue: UInt32,
        into asm: inout BPFAssembler
    ) {
        guard entries.count > leafSize else {
            emitLeaf(entries, wide: wide, default: defaultValue, into: &asm)
            return
        }
        let middle = entries.startIndex + entries.count / 2
        let (low, high) = (asm.label(), asm.label())
        asm.jump(.ge, entries[middle].key, high, low)
        asm.bind(low)
        emitTree(entries[..<middle], wide: wide, default: defaultValue, into: &asm)
        asm.bind(high)
        emitTree(entries[middle...], wide: wide, default: defaultValue, into: &asm)
    }

    static func emitLeaf(
        _ entries: ArraySlice<(key: UInt32, value: Chain)>, wide: Bool, default defaultValue: UInt32,
        into asm: inout BPFAssembler
    ) {
        var bodies: [(Chain, BPFAssembler.Label)] = []
        for (nr, chain) in entries {
            let body: BPFAssembler.Label
            if let shared = bodies.first(where: { $0.0 == chain }) {
                body = shared.1
            } else {
                body = asm.label()
                bodies.append((chain, body))
            }
            let next = asm.label()
            asm.jump(.eq, nr, body, next)
            asm.bind(next)
        }
        asm.ret(defaultValue)
        for (chain, label) in bodies {
            asm.bind(label)
            emitChain(chain, wide: wide, default: defaultValue, into: &asm)
        }
    }

    static func emitChain(_ chain: Chain, wide: Bool, default defaultValue: UInt32, into asm: inout BPFAssembler) {
        for step in chain.steps {
            if step.conditions.isEmpty {
                asm.ret(step.action)
                return
            }
            let next = asm.label()
            for condition in step.conditions { condition.emit(into: &asm, wide: wide, fail: next) }
            asm.ret(step.action)
            asm.bind(next)
        }
        asm.ret(defaultValue)
    }
}

extension SeccompCondition {
    /// The condition on the low 32 bits only, for 32-bit ABIs.
    var narrowed: SeccompCondition {
        SeccompCondition(index: index, op: op, value: value & 0xffff_ffff, valueTwo: valueTwo & 0xffff_ffff)
    }
}
