import BosunOCI
import BosunSeccomp
import Foundation
import Testing
import BosunTestSupport

@Suite("seccomp in containers (root)", .enabled(if: RootGate.enabled))
struct SeccompContainerTests {
    @Test("a syscall the profile blocks fails with the profile's errno; the rest still works")
    func blockedSyscall() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("mkdir /tmp/x; echo status=$?; echo still running") { spec in
            var policy = RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW")
            policy.architectures = ["SCMP_ARCH_X86_64"]
            policy.syscalls = [RuntimeSpec.Syscall(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95)]
            spec.linux?.seccomp = policy
        }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("status=1"))
        #expect(outcome.stdout.contains("still running"))
        #expect(outcome.stderr.contains("not supported") || outcome.stdout.contains("not supported") || outcome.stderr.contains("Operation not supported"))
    }

    @Test("Docker's default profile: ordinary programs run, blocked syscalls get EPERM, Seccomp mode 2 is on")
    func dockerDefault() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; echo hello > /tmp/f && cat /tmp/f; mount -t tmpfs none /mnt; echo mount=$?") { spec in
            spec.linux?.seccomp = DockerDefaultProfile.policy
        }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Seccomp:\t2"))
        #expect(outcome.stdout.contains("hello"))
        #expect(outcome.stdout.contains("mount=255") || outcome.stdout.contains("mount=1"))
    }

    @Test("a bad profile is refused with a clear error before anything runs")
    func badProfile() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("echo should-not-run") { spec in
            var policy = RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW")
            policy.syscalls = [RuntimeSpec.Syscall(names: ["mkdir"], action: "SCMP_ACT_ERRNO", args: [RuntimeSpec.SyscallArg(index: 0, value: 1, op: "SCMP_CMP_XX")])]
            spec.linux?.seccomp = policy
        }
        #expect(outcome.status != 0)
        #expect(!outcome.stdout.contains("should-not-run"))
        #expect(outcome.stderr.contains("unknown operator \"SCMP_CMP_XX\""), "\(outcome.stderr)")
    }
}
