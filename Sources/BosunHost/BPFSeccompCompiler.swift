public import BosunOCI
public import BosunRuntime
import BosunSeccomp

/// Connects the runtime's seccomp seam to bosun's BPF compiler.
public struct BPFSeccompCompiler: BosunRuntime.SeccompCompiler {
    public init() {}

    public func compile(_ policy: RuntimeSpec.Seccomp) throws -> BosunRuntime.SeccompProgram {
        let program = try BosunSeccomp.SeccompCompiler.compile(policy)
        return BosunRuntime.SeccompProgram(
            instructions: program.instructions.map { .init(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) },
            flags: program.flags)
    }
}
