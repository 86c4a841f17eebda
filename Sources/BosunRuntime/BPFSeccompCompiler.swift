public import BosunOCI
import BosunSeccomp

/// Connects the runtime's seccomp seam to bosun's BPF compiler.
public struct BPFSeccompCompiler: SeccompCompiler {
    public init() {}

    public func compile(_ policy: RuntimeSpec.Seccomp) throws -> SeccompProgram {
        let program = try BosunSeccomp.SeccompCompiler.compile(policy)
        return SeccompProgram(
            instructions: program.instructions.map { .init(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) },
            flags: program.flags)
    }
}
