public import BosunOCI

/// Docker's default seccomp profile (`github.com/moby/profiles/seccomp` v0.2.3, `default.json`, as vendored
/// by moby in 2026), as data, resolved for an amd64 host the way moby's `setupSeccomp` does: entries whose
/// `includes` (capabilities, architectures, minimum kernel) are met and whose `excludes` are not.
///
/// Default action `SCMP_ACT_ERRNO` with EPERM; an allow-list (without io_uring, which Docker dropped);
/// `clone` only without namespace flags and `clone3` answering ENOSYS (so glibc falls back to `clone`) unless
/// `CAP_SYS_ADMIN`; `socket` for every family but `AF_ALG` (38) and `AF_VSOCK` (40); `personality` only for
/// the five personas Docker lists.
public enum DockerDefaultProfile {
    /// The profile for Docker's default capability set (`DefaultSpec.capabilities`).
    public static var policy: RuntimeSpec.Seccomp { policy(capabilities: DefaultSpec.capabilities) }

    /// The profile with the capability-conditional entries resolved for `capabilities` (bounding set names,
    /// `CAP_…`), for an amd64 host running kernel ≥ 4.8.
    public static func policy(capabilities: [String]) -> RuntimeSpec.Seccomp {
        let capabilities = Set(capabilities)
        var policy = RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ERRNO")
        policy.defaultErrnoRet = 1
        policy.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
        policy.syscalls = entries.filter { $0.applies(capabilities: capabilities, hostArch: "amd64") }.map(\.syscall)
        return policy
    }

    /// One entry of moby's profile with its `includes` / `excludes`.
    struct Entry {
        var syscall: RuntimeSpec.Syscall
        var includeCaps: [String] = []
        var includeArches: [String] = []
        var excludeCaps: [String] = []
        var excludeArches: [String] = []

        func applies(capabilities: Set<String>, hostArch: String) -> Bool {
            if !includeArches.isEmpty, !includeArches.contains(hostArch) { return false }
            if !includeCaps.allSatisfy(capabilities.contains) { return false }
            if excludeArches.contains(hostArch) { return false }
            if excludeCaps.contains(where: capabilities.contains) { return false }
            return true
        }
    }

    static func allow(
        _ names: [String], args: [RuntimeSpec.SyscallArg]? = nil, caps: [String] = [], arches: [String] = [],
        excludeCaps: [String] = [], excludeArches: [String] = []
    ) -> Entry {
        Entry(
            syscall: RuntimeSpec.Syscall(names: names, action: "SCMP_ACT_ALLOW", args: args), includeCaps: caps,
            includeArches: arches, excludeCaps: excludeCaps, excludeArches: excludeArches)
    }

    static func personality(_ persona: UInt64) -> Entry {
        allow(["personality"], args: [RuntimeSpec.SyscallArg(index: 0, value: persona, op: "SCMP_CMP_EQ")])
    }

    /// `CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET`:
    /// `clone` is allowed only when none of these flags is set.
    static let namespaceFlags: UInt64 = 0x7E02_0000
    static let (afALG, afNFC, afVSOCK): (UInt64, UInt64, UInt64) = (38, 39, 40)

    /// moby's entries, in its order.
    static let entries: [Entry] = [
        allow(allowed),
        allow(["process_vm_readv", "process_vm_writev", "ptrace"]),  // includes minKernel 4.8
        allow(["socket"], args: [RuntimeSpec.SyscallArg(index: 0, value: afALG, op: "SCMP_CMP_LT")]),
        allow(["socket"], args: [RuntimeSpec.SyscallArg(index: 0, value: afNFC, op: "SCMP_CMP_EQ")]),
        allow(["socket"], args: [RuntimeSpec.SyscallArg(index: 0, value: afVSOCK, op: "SCMP_CMP_GT")]),
        personality(0x0), personality(0x8), personality(0x20000), personality(0x20008), personality(0xffff_ffff),
        allow(["sync_file_range2", "swapcontext"], arches: ["ppc64le"]),
        allow(
            ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
            arches: ["arm", "arm64"]),
        allow(["arch_prctl"], arches: ["amd64", "x32"]),
        allow(["modify_ldt"], arches: ["amd64", "x32", "x86"]),
        allow(["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"], arches: ["s390", "s390x"]),
        allow(["riscv_flush_icache"], arches: ["riscv64"]),
        allow(["open_by_handle_at"], caps: ["CAP_DAC_READ_SEARCH"]),
        allow(
            [
                "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
                "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount", "mount_setattr", "move_mount",
                "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
                "syslog", "umount", "umount2", "unshare",
            ], caps: ["CAP_SYS_ADMIN"]),
        allow(
            ["clone"], args: [RuntimeSpec.SyscallArg(index: 0, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
            excludeCaps: ["CAP_SYS_ADMIN"], excludeArches: ["s390", "s390x"]),
        allow(  // s390 passes clone's flags second
            ["clone"], args: [RuntimeSpec.SyscallArg(index: 1, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
            arches: ["s390", "s390x"], excludeCaps: ["CAP_SYS_ADMIN"]),
        Entry(
            syscall: RuntimeSpec.Syscall(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38),
            excludeCaps: ["CAP_SYS_ADMIN"]),
        allow(["reboot"], caps: ["CAP_SYS_BOOT"]),
        allow(["chroot"], caps: ["CAP_SYS_CHROOT"]),
        allow(["delete_module", "init_module", "finit_module"], caps: ["CAP_SYS_MODULE"]),
        allow(["acct"], caps: ["CAP_SYS_PACCT"]),
        allow(
            ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
            caps: ["CAP_SYS_PTRACE"]),
        allow(["iopl", "ioperm"], caps: ["CAP_SYS_RAWIO"]),
        allow(["settimeofday", "stime", "clock_settime", "clock_settime64"], caps: ["CAP_SYS_TIME"]),
        allow(["vhangup"], caps: ["CAP_SYS_TTY_CONFIG"]),
        allow(["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"], caps: ["CAP_SYS_NICE"]),
        allow(["syslog"], caps: ["CAP_SYSLOG"]),
        allow(["bpf"], caps: ["CAP_BPF"]),
        allow(["perf_event_open"], caps: ["CAP_PERFMON"]),
    ]

    /// The unconditional allow-list (moby's first entry).
    static let allowed: [String] = [
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
        "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
        "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
        "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_robust_list",
        "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid",
        "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
        "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
        "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday",
        "getuid", "getuid32", "getxattr", "getxattrat", "inotify_add_watch", "inotify_init", "inotify_init1",
        "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
        "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill", "landlock_add_rule",
        "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat",
        "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
        "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
        "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
        "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
        "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
        "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
        "remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2", "restart_syscall",
        "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
        "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
        "sendto", "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
        "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
        "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
        "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "setxattrat", "shmat", "shmctl",
        "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn",
        "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statmount", "statx", "symlink",
        "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
        "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
        "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
        "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
        "writev",
    ]
}
