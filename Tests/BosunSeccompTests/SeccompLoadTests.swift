import BosunOCI
import CBosunSys
import Testing

@testable import BosunSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// Installs compiled filters in a forked child of the test process and checks what the kernel does.
///
/// The test process is multi-threaded, so the child only makes async-signal-safe calls between `fork()` and
/// `_exit()`: every buffer (the converted filter, paths) is prepared before forking, and the child calls
/// `prctl`, `seccomp`, the syscall under test and `_exit` — no allocation, no locks, no Swift runtime work.
/// Runs as root (bosun's runtime is root); skipped otherwise, and fails instead when `CI` is set.
@Suite("seccomp filters loaded into the kernel", .serialized)
struct SeccompLoadTests {
    typealias F = Fixtures
    static let isRoot = getuid() == 0
    static let required = getenv("CI") != nil

    enum Outcome: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Forks; the child installs `program` and exits with what `body` returns.
    func inChild(_ program: SeccompProgram, _ body: () -> Int32) -> Outcome {
        let filters = program.instructions.map { bosun_sock_filter(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        let pid = filters.withUnsafeBufferPointer { buffer -> pid_t in
            let pid = fork()
            guard pid == 0 else { return pid }
            if bosun_set_no_new_privs() != 0 { _exit(120) }
            if bosun_seccomp_load(buffer.baseAddress, UInt16(buffer.count), program.flags) < 0 { _exit(121) }
            _exit(body())
        }
        #expect(pid > 0, "fork failed: errno \(errno)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }

    func checkPrivileges() throws {
        try #require(Self.isRoot, "CI is set but the seccomp load tests are not running as root")
    }

    @Test(.enabled(if: isRoot || required, "needs root; set CI to fail instead of skipping"))
    func errnoAndArguments() throws {
        try checkPrivileges()
        let policy = F.policy("SCMP_ACT_ALLOW", [
            F.rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errno: 95),
            // kill(pid, 0) refused only for a signal number with the high word clear and the low word 0
            F.rule(["kill"], "SCMP_ACT_ERRNO", errno: 77, args: [F.arg(1, "SCMP_CMP_EQ", 0)]),
        ])
        let program = try SeccompCompiler.compile(policy)
        let path = Array("/nonexistent-bosun-seccomp/x".utf8CString)
        // without the filter: ENOENT
        #expect(path.withUnsafeBufferPointer { mkdir($0.baseAddress!, 0o700) } == -1 && errno == ENOENT)
        let outcome = path.withUnsafeBufferPointer { buffer in
            inChild(program) { mkdir(buffer.baseAddress!, 0o700) == 0 ? 0 : errno }
        }
        #expect(outcome == .exited(95))
        #expect(inChild(program) { kill(getpid(), 0) == 0 ? 0 : errno } == .exited(77))
        #expect(inChild(program) { kill(getpid(), SIGCONT) == 0 ? 0 : errno } == .exited(0))
    }

    @Test(.enabled(if: isRoot || required, "needs root; set CI to fail instead of skipping"))
    func killProcess() throws {
        try checkPrivileges()
        let policy = F.policy("SCMP_ACT_ALLOW", [F.rule(["getppid"], "SCMP_ACT_KILL_PROCESS")])
        let program = try SeccompCompiler.compile(policy)
        #expect(inChild(program) { getppid() > 0 ? 0 : 1 } == .signaled(SIGSYS))
        #expect(inChild(program) { getpid() > 0 ? 0 : 1 } == .exited(0))
    }

    @Test(.enabled(if: isRoot || required, "needs root; set CI to fail instead of skipping"))
    func dockerDefault() throws {
        try checkPrivileges()
        let program = try SeccompCompiler.compile(DockerDefaultProfile.policy)
        let path = Array("/nonexistent-bosun-seccomp/x".utf8CString)
        #expect(inChild(program) { bosun_unshare(0) == 0 ? 0 : errno } == .exited(EPERM))
        #expect(inChild(program) { getpid() > 0 && getuid() == 0 ? 0 : 1 } == .exited(0))
        let outcome = path.withUnsafeBufferPointer { buffer in
            inChild(program) { mkdir(buffer.baseAddress!, 0o700) == 0 ? 0 : errno }
        }
        #expect(outcome == .exited(ENOENT))  // allowed: the kernel, not the filter, answers
    }
}

@Suite("seccomp constants agree with the C headers")
struct SeccompHeaderTests {
    @Test("filter flags and the instruction layout match CBosunSys")
    func constants() {
        #expect(SeccompFilterFlag.tsync.rawValue == BOSUN_SECCOMP_FILTER_FLAG_TSYNC)
        #expect(SeccompFilterFlag.log.rawValue == BOSUN_SECCOMP_FILTER_FLAG_LOG)
        #expect(SeccompFilterFlag.newListener.rawValue == BOSUN_SECCOMP_FILTER_FLAG_NEW_LISTENER)
        #expect(SeccompFilterFlag.specAllow.rawValue == BOSUN_SECCOMP_FILTER_FLAG_SPEC_ALLOW)
        #expect(MemoryLayout<bosun_sock_filter>.size == 8)
        #expect(MemoryLayout<BPFInstruction>.size == MemoryLayout<bosun_sock_filter>.size)
    }
}
