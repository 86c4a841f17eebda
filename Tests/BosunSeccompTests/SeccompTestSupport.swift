import BosunOCI
@testable import BosunSeccomp

/// Builders and a reference evaluator for the compiler tests.
enum Fixtures {
    static let x86_64 = SeccompArchitecture.x86_64.auditArch
    static let i386 = SeccompArchitecture.x86.auditArch

    static func nr(_ name: String, _ abi: SeccompArchitecture = .x86_64) -> Int32 {
        Int32(bitPattern: abi.syscallTable![name]!)
    }

    static func policy(
        errno: UInt32? = nil, architectures: [String]? = nil, _ syscalls: [RuntimeSpec.Syscall]
    ) -> RuntimeSpec.Seccomp {
        policy("SCMP_ACT_ERRNO", errno: errno, architectures: architectures, syscalls)
    }

    static func policy(
        _ defaultAction: String, errno: UInt32? = nil, architectures: [String]? = nil,
        _ syscalls: [RuntimeSpec.Syscall]
    ) -> RuntimeSpec.Seccomp {
        var policy = RuntimeSpec.Seccomp(defaultAction: defaultAction)
        policy.defaultErrnoRet = errno
        policy.architectures = architectures
        policy.syscalls = syscalls
        return policy
    }

    static func rule(
        _ names: [String], _ action: String = "SCMP_ACT_ALLOW", errno: UInt32? = nil, args: [RuntimeSpec.SyscallArg] = []
    ) -> RuntimeSpec.Syscall {
        RuntimeSpec.Syscall(names: names, action: action, errnoRet: errno, args: args.isEmpty ? nil : args)
    }

    static func arg(_ index: UInt, _ op: String, _ value: UInt64, _ valueTwo: UInt64? = nil) -> RuntimeSpec.SyscallArg {
        RuntimeSpec.SyscallArg(index: index, value: value, valueTwo: valueTwo, op: op)
    }

    /// Compiles and runs `policy` on one syscall.
    static func action(
        _ policy: RuntimeSpec.Seccomp, _ name: String, args: [UInt64] = [], abi: SeccompArchitecture = .x86_64
    ) throws -> SeccompAction {
        let program = try SeccompCompiler.compile(policy)
        return try SeccompSimulator.action(program, SeccompData(nr: nr(name, abi), arch: abi.auditArch, args: args))
    }

    /// What libseccomp semantics say `policy` does for `nr` with `args` on x86_64: the first rule naming the
    /// syscall whose conditions all hold, else the default action.
    static func reference(_ policy: RuntimeSpec.Seccomp, nr: UInt32, args: [UInt64]) throws -> SeccompAction {
        let table = SyscallTableX86_64.numbers
        for syscall in policy.syscalls ?? [] where syscall.names.contains(where: { table[$0] == nr }) {
            let conditions = try (syscall.args ?? []).map { arg throws(SeccompError) in try SeccompCondition(arg, subject: "") }
            if conditions.allSatisfy({ $0.matches(args[$0.index]) }) {
                return try SeccompAction(name: syscall.action, errnoRet: syscall.errnoRet, subject: "")
            }
        }
        return try SeccompAction(name: policy.defaultAction, errnoRet: policy.defaultErrnoRet, subject: "")
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
