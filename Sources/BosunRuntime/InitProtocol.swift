public import BosunOCI
import Foundation

/// What the caller sends the helper (`bosun __runtime-init 3`) over the SOCK_SEQPACKET socket: everything the
/// helper and the container's init need, so that they read nothing from the caller's environment.
struct InitConfig: Codable, Sendable {
    var id: String
    var bundle: String
    /// The rootfs, absolute on the host.
    var rootfs: String
    var spec: RuntimeSpec
    /// The exec FIFO the init blocks on until `start`.
    var fifoPath: String
    var consoleSocket: String?
    /// A compiled seccomp filter to install just before exec (see `SeccompCompiler`).
    var seccomp: SeccompProgram?
    /// Whether the init must stop before pivot_root so the caller can run prestart/createRuntime hooks.
    var pauseForRuntimeHooks: Bool
    /// The container cgroup's `cgroup.procs` files: the helper joins them before anything else.
    var cgroupProcs: [String] = []
}

/// A message from the helper or the init to the caller, or the caller's go-ahead after hooks.
struct InitMessage: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        /// From the helper: the container's pid (in the caller's pid namespace).
        case pid
        /// From the init: namespaces and mounts are ready; run createRuntime hooks, then send `resume`.
        case hooks
        case resume
        /// From the init: set up and blocked on the exec FIFO.
        case ready
        case error
    }

    var kind: Kind
    var pid: Int32?
    var error: RuntimeError?

    static func encode(_ message: InitMessage) -> [UInt8] {
        (try? Array(JSONEncoder().encode(message))) ?? []
    }

    static func decode(_ bytes: [UInt8]) throws(RuntimeError) -> InitMessage {
        do {
            return try JSONDecoder().decode(InitMessage.self, from: Data(bytes))
        } catch {
            throw RuntimeError("read a message from the container init", detail: "\(error)")
        }
    }
}

/// A compiled seccomp filter: classic BPF instructions ready for `seccomp(SECCOMP_SET_MODE_FILTER)`.
///
/// This is the seam to the seccomp compiler (module `BosunSeccomp`): the runtime never interprets
/// `linux.seccomp` itself; a `SeccompCompiler` turns it into a `SeccompProgram` in the caller, and the
/// container's init installs the instructions as the last step before exec.
public struct SeccompProgram: Sendable, Hashable, Codable {
    /// One `struct sock_filter`.
    public struct Instruction: Sendable, Hashable, Codable {
        public var code: UInt16
        public var jt: UInt8
        public var jf: UInt8
        public var k: UInt32
        public init(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32) {
            self.code = code
            self.jt = jt
            self.jf = jf
            self.k = k
        }
    }

    public var instructions: [Instruction]
    /// `SECCOMP_FILTER_FLAG_*` bits.
    public var flags: UInt32

    public init(instructions: [Instruction], flags: UInt32 = 0) {
        self.instructions = instructions
        self.flags = flags
    }
}

/// Compiles a config.json seccomp policy for the container's architecture.
public protocol SeccompCompiler: Sendable {
    func compile(_ policy: RuntimeSpec.Seccomp) throws -> SeccompProgram
}
