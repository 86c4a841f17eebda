import BosunOCI
import Testing

@testable import BosunSeccomp

@Suite("Docker's default seccomp profile")
struct DockerDefaultProfileTests {
    typealias F = Fixtures
    let policy = DockerDefaultProfile.policy

    @Test("fits the kernel's limit and passes the kernel-style checks")
    func size() throws {
        let program = try SeccompCompiler.compile(policy)
        try SeccompSimulator.validate(program.instructions)
        #expect(program.instructions.count < BPF.maxInstructions)
        #expect(program.instructions.count < 2000)  // 1702 with kernel 6.18 tables and moby/profiles v0.2.3
        #expect(program.architectures == [.x86_64, .x86, .x32])
        #expect(program.flags == 0)
        // names only 32-bit ABIs have are ignored on x86_64; these exist only on other architectures
        #expect(program.ignoredSyscalls[.x86_64]?.contains("chown32") == true)
        #expect(program.unknownSyscalls == ["recv", "riscv_hwprobe", "send"])
    }

    @Test("ordinary syscalls are allowed on every ABI")
    func allowed() throws {
        let names = [
            "read", "write", "openat", "clone", "execve", "exit_group", "futex", "mmap", "chroot", "arch_prctl",
            "fchmodat2", "mseal", "statmount", "futex_wake",
        ]
        for name in names {
            #expect(try F.action(policy, name) == .allow, "\(name)")
        }
        #expect(try F.action(policy, "openat", abi: .x32) == .allow)
        #expect(try F.action(policy, "socketcall", abi: .x86) == .allow)
        #expect(try F.action(policy, "ptrace") == .allow)  // minKernel 4.8
    }

    @Test("privileged syscalls get EPERM; clone3 gets ENOSYS")
    func denied() throws {
        let names = [
            "mount", "umount2", "reboot", "kexec_load", "init_module", "finit_module", "bpf", "perf_event_open",
            "unshare", "setns", "open_by_handle_at", "swapon", "settimeofday", "acct", "iopl", "syslog",
            "io_uring_setup", "lsm_list_modules",
        ]
        for name in names {
            #expect(try F.action(policy, name) == .errno(1), "\(name)")
            #expect(try F.action(policy, name, abi: .x86) == .errno(1), "\(name) on i386")
        }
        #expect(try F.action(policy, "clone3") == .errno(38))
        #expect(try F.action(policy, "clone3", abi: .x32) == .errno(38))
    }

    @Test("clone only without namespace flags")
    func clone() throws {
        let sigchld: UInt64 = 17
        #expect(try F.action(policy, "clone", args: [0x003D_0F00]) == .allow)  // pthread_create's flags
        #expect(try F.action(policy, "clone", args: [sigchld]) == .allow)
        for flag: UInt64 in [0x0002_0000, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000] {
            #expect(try F.action(policy, "clone", args: [sigchld | flag]) == .errno(1), "flag \(flag)")
        }
    }

    @Test("personality only for the listed personas")
    func personality() throws {
        for persona: UInt64 in [0, 8, 0x20000, 0x20008, 0xffff_ffff] {
            #expect(try F.action(policy, "personality", args: [persona]) == .allow)
        }
        for persona: UInt64 in [1, 0x0040_0000, 0x1_0000_0000, 0xffff_ffff_ffff_ffff] {
            #expect(try F.action(policy, "personality", args: [persona]) == .errno(1))
        }
    }

    @Test("socket is allowed except for AF_ALG and AF_VSOCK")
    func socket() throws {
        for family: UInt64 in [1, 2, 10, 16, 17, 37, 39, 41, 45] {
            #expect(try F.action(policy, "socket", args: [family, 1]) == .allow, "family \(family)")
        }
        #expect(try F.action(policy, "socket", args: [38, 5]) == .errno(1))  // AF_ALG
        #expect(try F.action(policy, "socket", args: [40, 1]) == .errno(1))  // AF_VSOCK
        #expect(try F.action(policy, "socket", args: [0x1_0000_0028, 1]) == .allow)  // 64-bit compare
    }

    @Test("capabilities open their entries")
    func capabilities() throws {
        let admin = DockerDefaultProfile.policy(capabilities: DefaultSpec.capabilities + ["CAP_SYS_ADMIN"])
        #expect(try F.action(admin, "mount") == .allow)
        #expect(try F.action(admin, "clone3") == .allow)
        #expect(try F.action(admin, "clone", args: [0x2000_0000]) == .allow)
        let boot = DockerDefaultProfile.policy(capabilities: ["CAP_SYS_BOOT", "CAP_SYS_PTRACE", "CAP_BPF"])
        #expect(try F.action(boot, "reboot") == .allow)
        #expect(try F.action(boot, "kcmp") == .allow)
        #expect(try F.action(boot, "bpf") == .allow)
        #expect(try F.action(boot, "chroot") == .errno(1))  // no CAP_SYS_CHROOT
        #expect(try F.action(policy, "kcmp") == .errno(1))
    }

    @Test("every x86_64 syscall number, with random arguments, matches the reference semantics")
    func exhaustive() throws {
        let program = try SeccompCompiler.compile(policy)
        var random = SplitMix64(state: 7)
        for nr in UInt32(0)...480 {
            for _ in 0..<4 {
                let args = (0..<6).map { _ in random.next() & (random.next() & 1 == 0 ? 0xffff_ffff : .max) }
                let got = try SeccompSimulator.action(program, SeccompData(nr: Int32(nr), args: args))
                #expect(got == (try F.reference(policy, nr: nr, args: args)), "nr \(nr)")
            }
        }
    }
}
