public import BosunOCI
import Foundation

/// What the caller sends the helper (`bosun __runtime-init 3`) over the SOCK_SEQPACKET socket: everything the
/// helper and the container's init need, so that they read nothing from the caller's environment.
///
/// Three datagrams (`datagrams(specBytes:)`): this struct as JSON without the spec and the filter, then
/// config.json's bytes as the caller read them, then the seccomp filter as raw `struct sock_filter`s —
/// re-encoding the spec and hundreds of BPF instructions as JSON cost every container start a millisecond.
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

    private enum CodingKeys: String, CodingKey {
        case id, bundle, rootfs, fifoPath, consoleSocket, pauseForRuntimeHooks, cgroupProcs, seccompFlags
    }

    init(id: String, bundle: String, rootfs: String, spec: RuntimeSpec, fifoPath: String, consoleSocket: String?,
         seccomp: SeccompProgram?, pauseForRuntimeHooks: Bool) {
        self.id = id
        self.bundle = bundle
        self.rootfs = rootfs
        self.spec = spec
        self.fifoPath = fifoPath
        self.consoleSocket = consoleSocket
        self.seccomp = seccomp
        self.pauseForRuntimeHooks = pauseForRuntimeHooks
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        bundle = try container.decode(String.self, forKey: .bundle)
        rootfs = try container.decode(String.self, forKey: .rootfs)
        fifoPath = try container.decode(String.self, forKey: .fifoPath)
        consoleSocket = try container.decodeIfPresent(String.self, forKey: .consoleSocket)
        pauseForRuntimeHooks = try container.decode(Bool.self, forKey: .pauseForRuntimeHooks)
        cgroupProcs = try container.decode([String].self, forKey: .cgroupProcs)
        seccomp = try container.decodeIfPresent(UInt32.self, forKey: .seccompFlags).map { SeccompProgram(instructions: [], flags: $0) }
        spec = RuntimeSpec()
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(bundle, forKey: .bundle)
        try container.encode(rootfs, forKey: .rootfs)
        try container.encode(fifoPath, forKey: .fifoPath)
        try container.encodeIfPresent(consoleSocket, forKey: .consoleSocket)
        try container.encode(pauseForRuntimeHooks, forKey: .pauseForRuntimeHooks)
        try container.encode(cgroupProcs, forKey: .cgroupProcs)
        try container.encodeIfPresent(seccomp?.flags, forKey: .seccompFlags)
    }

    private static let filterMarker = UInt8(ascii: "F")

    /// The three datagrams for the helper; `specBytes` are config.json's bytes that `spec` was decoded from.
    func datagrams(specBytes: [UInt8]) throws(RuntimeError) -> [[UInt8]] {
        let header: [UInt8]
        do {
            header = try Array(JSONEncoder().encode(self))
        } catch {
            throw RuntimeError("encode the container config", detail: "\(error)")
        }
        // A leading marker byte: an empty datagram would read as end of stream.
        var filter: [UInt8] = [InitConfig.filterMarker]
        filter.reserveCapacity(1 + (seccomp?.instructions.count ?? 0) * 8)
        for instruction in seccomp?.instructions ?? [] {
            withUnsafeBytes(of: instruction.code.littleEndian) { filter.append(contentsOf: $0) }
            filter.append(instruction.jt)
            filter.append(instruction.jf)
            withUnsafeBytes(of: instruction.k.littleEndian) { filter.append(contentsOf: $0) }
        }
        return [header, specBytes, filter]
    }

    /// Reads the three datagrams; nil when the caller closed the socket first. The header and config.json are
    /// decoded before the filter is read: the caller sends the filter only once the container's cgroup exists,
    /// so the decoding overlaps the cgroup's creation.
    static func receive(_ fd: Int32) throws(RuntimeError) -> InitConfig? {
        guard let header = try Sys.receive(fd, step: "read the container config"),
              let specBytes = try Sys.receive(fd, step: "read the container's config.json")
        else { return nil }
        var config: InitConfig
        do {
            config = try JSONDecoder().decode(InitConfig.self, from: Data(header))
            config.spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(specBytes))
        } catch {
            throw RuntimeError("decode the container config", detail: "\(error)")
        }
        guard let marked = try Sys.receive(fd, step: "read the container's seccomp filter") else { return nil }
        guard marked.first == filterMarker else { throw RuntimeError("decode the container config", detail: "no seccomp filter datagram") }
        let filter = Array(marked.dropFirst())
        if config.seccomp != nil {
            guard filter.count % 8 == 0 else { throw RuntimeError("decode the container config", detail: "a partial seccomp instruction") }
            config.seccomp?.instructions = stride(from: 0, to: filter.count, by: 8).map { offset in
                let code = UInt16(filter[offset]) | UInt16(filter[offset + 1]) << 8
                var k: UInt32 = 0
                for index in (4..<8).reversed() { k = k << 8 | UInt32(filter[offset + index]) }
                return SeccompProgram.Instruction(code: code, jt: filter[offset + 2], jf: filter[offset + 3], k: k)
            }
        }
        return config
    }
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
