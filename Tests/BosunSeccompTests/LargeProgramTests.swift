import BosunOCI
import Testing

@testable import BosunSeccomp

@Suite("large programs need long jumps")
struct LargeProgramTests {
    typealias F = Fixtures

    /// A random policy over every x86_64 syscall with conditional rules, big enough that conditional jumps
    /// must be widened with `ja`.
    func randomPolicy(seed: UInt64) -> RuntimeSpec.Seccomp {
        var random = SplitMix64(state: seed)
        let names = SyscallTableX86_64.numbers.keys.sorted()
        let operators = SeccompCondition.Operator.allCases.map(\.rawValue)
        let actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_LOG", "SCMP_ACT_TRAP", "SCMP_ACT_KILL_PROCESS"]
        var rules: [RuntimeSpec.Syscall] = []
        for _ in 0..<260 {
            let count = Int(random.next() % 3) + 1
            let ruleNames = (0..<count).map { _ in names[Int(random.next() % UInt64(names.count))] }
            let args = (0..<Int(random.next() % 3)).map { _ in
                F.arg(
                    UInt(random.next() % 6), operators[Int(random.next() % UInt64(operators.count))],
                    random.next() % 4 == 0 ? random.next() : random.next() % 8, random.next() % 8)
            }
            let action = actions[Int(random.next() % UInt64(actions.count))]
            let errno = action == "SCMP_ACT_ERRNO" ? UInt32(random.next() % 200) : nil
            rules.append(F.rule(ruleNames, action, errno: errno, args: args))
        }
        return F.policy(errno: 13, rules)
    }

    @Test("random policies agree with the reference semantics", arguments: [1, 2, 3] as [UInt64])
    func randomPolicies(seed: UInt64) throws {
        let policy = randomPolicy(seed: seed)
        let program = try SeccompCompiler.compile(policy)
        try SeccompSimulator.validate(program.instructions)
        #expect(program.instructions.count > 1000)
        #expect(program.instructions.contains { $0.code == BPF.ja }, "expected widened jumps")
        var random = SplitMix64(state: seed &* 31)
        for nr in UInt32(0)...470 {
            for _ in 0..<6 {
                let args = (0..<6).map { _ in random.next() % 3 == 0 ? random.next() : random.next() % 9 }
                let got = try SeccompSimulator.action(program, SeccompData(nr: Int32(nr), args: args))
                #expect(got == (try F.reference(policy, nr: nr, args: args)), "seed \(seed) nr \(nr) args \(args)")
            }
        }
    }

    @Test("a policy too big for the kernel is refused")
    func tooLong() {
        let names = SyscallTableX86_64.numbers.keys.sorted()
        let rules = names.enumerated().map { index, name in
            F.rule([name], args: [F.arg(0, "SCMP_CMP_GT", UInt64(index)), F.arg(1, "SCMP_CMP_LT", 2)])
        }
        #expect(errorCode { try SeccompCompiler.compile(F.policy(architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], rules)) } == .programTooLong)
    }
}
