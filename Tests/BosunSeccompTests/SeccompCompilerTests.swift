import BosunOCI
import Testing

@testable import BosunSeccomp

@Suite("seccomp compiler, run in the simulator")
struct SeccompCompilerTests {
    typealias F = Fixtures

    @Test("allow-list with errno default; default errno is EPERM unless defaultErrnoRet says")
    func allowList() throws {
        let policy = F.policy([F.rule(["read", "write"])])
        #expect(try F.action(policy, "read") == .allow)
        #expect(try F.action(policy, "write") == .allow)
        #expect(try F.action(policy, "mkdir") == .errno(1))
        let errno38 = F.policy(errno: 38, [F.rule(["read"])])
        #expect(try F.action(errno38, "openat") == .errno(38))
        // a number no table has
        let program = try SeccompCompiler.compile(policy)
        #expect(try SeccompSimulator.action(program, SeccompData(nr: 999)) == .errno(1))
    }

    @Test("deny-list: default allow, listed syscalls get their action and errno")
    func denyList() throws {
        let policy = F.policy("SCMP_ACT_ALLOW", [
            F.rule(["mount"], "SCMP_ACT_ERRNO"),
            F.rule(["umount2"], "SCMP_ACT_ERRNO", errno: 13),
            F.rule(["reboot"], "SCMP_ACT_KILL"),
            F.rule(["kexec_load"], "SCMP_ACT_KILL_PROCESS"),
            F.rule(["swapon"], "SCMP_ACT_KILL_THREAD"),
            F.rule(["swapoff"], "SCMP_ACT_TRAP"),
            F.rule(["ptrace"], "SCMP_ACT_TRACE", errno: 7),
            F.rule(["acct"], "SCMP_ACT_LOG"),
        ])
        #expect(try F.action(policy, "read") == .allow)
        #expect(try F.action(policy, "mount") == .errno(1))
        #expect(try F.action(policy, "umount2") == .errno(13))
        #expect(try F.action(policy, "reboot") == .killThread)
        #expect(try F.action(policy, "kexec_load") == .killProcess)
        #expect(try F.action(policy, "swapon") == .killThread)
        #expect(try F.action(policy, "swapoff") == .trap)
        #expect(try F.action(policy, "ptrace") == .trace(7))
        #expect(try F.action(policy, "acct") == .log)
    }

    @Test("SCMP_ACT_NOTIFY needs a listenerPath and sets SECCOMP_FILTER_FLAG_NEW_LISTENER")
    func notify() throws {
        var policy = F.policy("SCMP_ACT_ALLOW", [F.rule(["mknod"], "SCMP_ACT_NOTIFY")])
        #expect(throws: SeccompError.self) { try SeccompCompiler.compile(policy) }
        policy.listenerPath = "/run/bosun/notify.sock"
        let program = try SeccompCompiler.compile(policy)
        #expect(program.returnsListener && program.flags == 8)
        #expect(try F.action(policy, "mknod") == .notify)
        policy.flags = ["SECCOMP_FILTER_FLAG_TSYNC"]
        #expect(errorCode { try SeccompCompiler.compile(policy) } == .conflictingFlags)
        policy.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"]
        #expect(try SeccompCompiler.compile(policy).flags == 8 | 1 | 16)
    }

    @Test("policy flags map to SECCOMP_FILTER_FLAG_* bits")
    func flags() throws {
        var policy = F.policy([F.rule(["read"])])
        policy.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]
        #expect(try SeccompCompiler.compile(policy).flags == 7)
        policy.flags = ["SECCOMP_FILTER_FLAG_BOGUS"]
        #expect(errorCode { try SeccompCompiler.compile(policy) } == .unknownFlag)
    }

    /// (operator, value, [(argument, allowed)]).
    static let comparisonCases: [(String, UInt64, [(UInt64, Bool)])] = [
        ("SCMP_CMP_EQ", 5, [(5, true), (0x1_0000_0005, false), (6, false)]),
        ("SCMP_CMP_NE", 5, [(5, false), (0x1_0000_0005, true), (4, true)]),
        ("SCMP_CMP_GT", 0x1_0000_0000, [(0xffff_ffff, false), (0x1_0000_0000, false), (0x1_0000_0001, true), (0x2_0000_0000, true)]),
        ("SCMP_CMP_GE", 0x1_0000_0000, [(0xffff_ffff, false), (0x1_0000_0000, true), (0x2_0000_0000, true)]),
        ("SCMP_CMP_LT", 0x1_0000_0000, [(0xffff_ffff, true), (0x1_0000_0000, false), (0x1_0000_0001, false), (0, true)]),
        ("SCMP_CMP_LE", 0x1_0000_0000, [(0xffff_ffff, true), (0x1_0000_0000, true), (0x1_0000_0001, false)]),
        ("SCMP_CMP_GT", 7, [(0x1_0000_0000, true), (7, false), (8, true)]),
        ("SCMP_CMP_LT", 0xffff_ffff_ffff_fff0, [(0xffff_ffff_ffff_ffff, false), (0xffff_fffe_ffff_ffff, true)]),
    ]

    @Test("64-bit comparisons decide on the high word first")
    func comparisons() throws {
        for (op, value, cases) in Self.comparisonCases {
            let policy = F.policy([F.rule(["ioctl"], args: [F.arg(1, op, value)])])
            for (argument, allowed) in cases {
                let action = try F.action(policy, "ioctl", args: [0, argument])
                #expect(action == (allowed ? .allow : .errno(1)), "\(op) \(value): arg \(argument)")
            }
        }
    }

    @Test("MASKED_EQ compares arg & mask with valueTwo on both words")
    func maskedEqual() throws {
        let policy = F.policy([F.rule(["clone"], args: [F.arg(0, "SCMP_CMP_MASKED_EQ", 0x1_0000_00ff, 0x1_0000_0011)])])
        #expect(try F.action(policy, "clone", args: [0x1_0000_0011]) == .allow)
        #expect(try F.action(policy, "clone", args: [0xffff_ff01_0000_ff11]) == .allow)
        #expect(try F.action(policy, "clone", args: [0x0000_0011]) == .errno(1))
        #expect(try F.action(policy, "clone", args: [0x1_0000_0012]) == .errno(1))
        // valueTwo absent means 0, as in Docker's clone rule
        let none = F.policy([F.rule(["clone"], args: [F.arg(0, "SCMP_CMP_MASKED_EQ", 0x7E02_0000)])])
        #expect(try F.action(none, "clone", args: [0x0001_0f00]) == .allow)
        #expect(try F.action(none, "clone", args: [0x1000_0000]) == .errno(1))
    }

    @Test("every operator agrees with the reference on random and edge 64-bit values")
    func operatorsAgainstReference() throws {
        var random = SplitMix64(state: 42)
        let edges: [UInt64] = [0, 1, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0001, .max, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff]
        for op in SeccompCondition.Operator.allCases {
            for value in edges + (0..<6).map({ _ in random.next() }) {
                let two = random.next() & value
                let policy = F.policy([F.rule(["read"], args: [F.arg(2, op.rawValue, value, two)])])
                let program = try SeccompCompiler.compile(policy)
                var arguments = edges + edges.map { $0 &+ value } + edges.map { $0 ^ value } + [value, two]
                arguments += (0..<8).map { _ in random.next() }
                for argument in arguments {
                    let args: [UInt64] = [0, 0, argument]
                    let got = try SeccompSimulator.action(program, SeccompData(nr: 0, args: args))
                    #expect(got == (try F.reference(policy, nr: 0, args: args)), "\(op) \(value) \(two): \(argument)")
                }
            }
        }
    }

    @Test("conditions in one rule are ANDed; rules for one syscall are ORed, first match wins")
    func andOr() throws {
        let policy = F.policy([
            F.rule(["socket"], args: [F.arg(0, "SCMP_CMP_EQ", 2), F.arg(1, "SCMP_CMP_EQ", 1)]),
            F.rule(["socket"], "SCMP_ACT_ERRNO", errno: 97, args: [F.arg(0, "SCMP_CMP_EQ", 2)]),
            F.rule(["socket"], args: [F.arg(0, "SCMP_CMP_EQ", 10)]),
            F.rule(["socket"], "SCMP_ACT_LOG"),
            F.rule(["socket"], "SCMP_ACT_KILL"),  // never reached
        ])
        #expect(try F.action(policy, "socket", args: [2, 1]) == .allow)
        #expect(try F.action(policy, "socket", args: [2, 2]) == .errno(97))
        #expect(try F.action(policy, "socket", args: [10, 5]) == .allow)
        #expect(try F.action(policy, "socket", args: [1, 1]) == .log)
    }

    @Test("an architecture not in the list is killed; x32 and i386 get their own tables")
    func architectures() throws {
        let only64 = F.policy(architectures: ["SCMP_ARCH_X86_64"], [F.rule(["getpid"])])
        let program = try SeccompCompiler.compile(only64)
        #expect(try SeccompSimulator.action(program, SeccompData(nr: 39)) == .allow)
        #expect(try SeccompSimulator.action(program, SeccompData(nr: 39, arch: F.i386)) == .killProcess)
        #expect(try SeccompSimulator.action(program, SeccompData(nr: 0x4000_0027)) == .killProcess)  // x32 getpid
        #expect(try SeccompSimulator.action(program, SeccompData(nr: 39, arch: 0xC000_00B7)) == .killProcess)

        let all = F.policy(
            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"],
            [F.rule(["getpid", "chown32", "_llseek"]), F.rule(["ioctl"], args: [F.arg(1, "SCMP_CMP_EQ", 0x5401)])])
        #expect(try F.action(all, "getpid", abi: .x32) == .allow)
        #expect(try F.action(all, "getpid", abi: .x86) == .allow)
        #expect(try F.action(all, "chown32", abi: .x86) == .allow)
        #expect(try F.action(all, "_llseek", abi: .x86) == .allow)
        #expect(try F.action(all, "getppid", abi: .x32) == .errno(1))
        // i386 compares the low word only: junk in the high half does not matter
        #expect(try F.action(all, "ioctl", args: [0, 0xdead_0000_5401], abi: .x86) == .allow)
        #expect(try F.action(all, "ioctl", args: [0, 0xdead_0000_5401]) == .errno(1))
        let compiled = try SeccompCompiler.compile(all)
        #expect(compiled.architectures == [.x86_64, .x86, .x32])
        #expect(compiled.ignoredSyscalls[.x86_64] == ["_llseek", "chown32"])
        #expect(compiled.unknownSyscalls.isEmpty)

        let x32Only = F.policy(architectures: ["SCMP_ARCH_X32"], [F.rule(["getpid"])])
        #expect(try F.action(x32Only, "getpid", abi: .x32) == .allow)
        #expect(try F.action(x32Only, "getpid") == .killProcess)
    }

    @Test("unknown syscall names are ignored and reported")
    func unknownNames() throws {
        let policy = F.policy([F.rule(["read", "no_such_syscall", "chown32"])])
        let program = try SeccompCompiler.compile(policy)
        #expect(program.ignoredSyscalls == [.x86_64: ["chown32", "no_such_syscall"]])
        #expect(program.unknownSyscalls == ["chown32", "no_such_syscall"])
        #expect(try F.action(policy, "read") == .allow)
    }

    @Test("bad policies fail with messages that name the rule", arguments: [
        (F.policy([F.rule(["read"]), F.rule(["clone"], args: [F.arg(0, "SCMP_CMP_XX", 1)])]),
         #"seccomp rule 1 (names: clone): unknown operator "SCMP_CMP_XX""#),
        (F.policy([F.rule(["read", "write", "open", "close"], "SCMP_ACT_MAYBE")]),
         #"seccomp rule 0 (names: read, write, open, +1 more): unknown action "SCMP_ACT_MAYBE""#),
        (F.policy("SCMP_ACT_NOPE", []), #"seccomp default action: unknown action "SCMP_ACT_NOPE""#),
        (F.policy([F.rule(["read"], args: [F.arg(6, "SCMP_CMP_EQ", 1)])]),
         "seccomp rule 0 (names: read): argument index 6 is out of range"),
        (F.policy(architectures: ["SCMP_ARCH_Z80"], []), #"seccomp: unknown architecture "SCMP_ARCH_Z80""#),
        (F.policy([F.rule(["read"], "SCMP_ACT_ERRNO", errno: 70000)]),
         "seccomp rule 0 (names: read): errnoRet 70000 is out of range"),
        (F.policy([F.rule(["read"], "SCMP_ACT_ALLOW", errno: 1)]),
         "seccomp rule 0 (names: read): errnoRet 1 given with SCMP_ACT_ALLOW"),
        (F.policy("SCMP_ACT_NOTIFY", []), "seccomp default action: SCMP_ACT_NOTIFY cannot be the default action"),
    ])
    func badPolicies(policy: RuntimeSpec.Seccomp, message: String) {
        #expect {
            try SeccompCompiler.compile(policy)
        } throws: { error in
            (error as? SeccompError)?.message == message
        }
    }

    @Test("only an x86_64 kernel is a target")
    func target() {
        #expect(SeccompArchitecture.host == .x86_64)
        #expect(errorCode { try SeccompCompiler.compile(F.policy([]), architecture: .aarch64) } == .unsupportedTarget)
    }
}

/// The code of the `SeccompError` `body` throws, if it does.
func errorCode(_ body: () throws -> SeccompProgram) -> SeccompError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return (error as? SeccompError)?.code
    }
}
