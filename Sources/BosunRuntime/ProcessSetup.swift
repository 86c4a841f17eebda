import BosunOCI
import CBosunSys
import Glibc

/// The container process's identity and limits, applied in the init after pivot_root, in the order the
/// OCI spec and runc use: AppArmor profile and SELinux label (for the exec), rlimits, umask, capability bounding set, user and groups (keeping capabilities),
/// capability sets and ambient set, cwd, no_new_privs, seccomp; then `exec`.
struct ProcessSetup {
    let process: RuntimeSpec.Process
    let seccomp: SeccompProgram?
    /// `exec -u USER[:GROUP]`: replaces `process.user`, resolved in the container's /etc/passwd and /etc/group.
    var userOverride: String?

    static let rlimitNumbers: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4, "RLIMIT_RSS": 5,
        "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9, "RLIMIT_LOCKS": 10,
        "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13, "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    /// Applies everything and returns the resolved executable path (checked now, so that a missing binary is
    /// reported by `create`, not lost after `start`).
    func apply() throws(RuntimeError) -> String {
        let passwd = Sys.readFile("/etc/passwd"), group = Sys.readFile("/etc/group")
        let user: ResolvedUser
        if let userOverride {
            user = try UserLookup.resolve(spec: userOverride, passwd: passwd, group: group)
        } else {
            user = try UserLookup.resolve(username: process.user.username, uid: process.user.uid, gid: process.user.gid,
                                          additional: process.user.additionalGids ?? [], passwd: passwd, group: group)
        }
        // As runc: the AppArmor profile / SELinux label to exec into, set while the process may still do so.
        try SecurityLabels.apply(process)
        try applyRlimits()
        umask(mode_t(process.user.umask ?? 0o022))
        let noNewPrivileges = process.noNewPrivileges == true
        // Without no_new_privs the filter must be loaded while the process still holds CAP_SYS_ADMIN.
        if !noNewPrivileges { try installSeccomp() }
        try applyUser(user)
        try Sys.check("chdir to `\(process.cwd)`") { chdir(process.cwd) }
        if noNewPrivileges { try Sys.check("set no_new_privs") { bosun_set_no_new_privs() } }
        if noNewPrivileges { try installSeccomp() }
        return try resolveExecutable(user: user)
    }

    func applyRlimits() throws(RuntimeError) {
        for limit in process.rlimits ?? [] {
            guard let number = ProcessSetup.rlimitNumbers[limit.type] else {
                throw RuntimeError("rlimit `\(limit.type)`", detail: "unknown resource")
            }
            var current = rlimit()
            try Sys.check("read rlimit `\(limit.type)`") { getrlimit(number, &current) }
            if limit.hard > UInt64(current.rlim_max) {
                throw RuntimeError("set rlimit `\(limit.type)` to \(limit.soft):\(limit.hard)",
                                   detail: "above the host's hard limit \(current.rlim_max)",
                                   hint: "raising a hard limit needs CAP_SYS_RESOURCE; ask for at most \(current.rlim_max)")
            }
            var wanted = rlimit(rlim_cur: rlim_t(limit.soft), rlim_max: rlim_t(limit.hard))
            try Sys.check("set rlimit `\(limit.type)` to \(limit.soft):\(limit.hard)") { setrlimit(number, &wanted) }
        }
    }

    func applyUser(_ user: ResolvedUser) throws(RuntimeError) {
        let lastCap = Int(bosun_last_cap())
        let caps = process.capabilities
        if let caps {
            let bounding = try Capabilities.mask(caps.bounding, lastCap: lastCap)
            for cap in 0...lastCap where bounding & (1 << UInt64(cap)) == 0 {
                if bosun_cap_bound_drop(Int32(cap)) != 0 && Glibc.errno != EINVAL {
                    throw RuntimeError("drop `\(Capabilities.names[cap])` from the bounding set", errno: Glibc.errno)
                }
            }
        }
        try Sys.check("keep capabilities across the user switch") { bosun_set_keepcaps(1) }
        let groups = user.additionalGids.map { gid_t($0) }
        try Sys.check("set additional groups \(groups)") { setgroups(groups.count, groups) }
        try Sys.check("set gid \(user.gid)") { bosun_setresgid(user.gid) }
        try Sys.check("set uid \(user.uid)") { bosun_setresuid(user.uid) }
        try Sys.check("clear keepcaps") { bosun_set_keepcaps(0) }
        if let caps {
            let effective = try Capabilities.mask(caps.effective, lastCap: lastCap)
            let permitted = try Capabilities.mask(caps.permitted, lastCap: lastCap)
            let inheritable = try Capabilities.mask(caps.inheritable, lastCap: lastCap)
            try Sys.check("set capabilities") { bosun_capset(effective, permitted, inheritable) }
            try Sys.check("clear the ambient capabilities") { bosun_cap_ambient_clear_all() }
            for name in caps.ambient ?? [] {
                guard let number = Capabilities.number(name), number <= lastCap else { continue }
                try Sys.check("raise ambient `\(name)`") { bosun_cap_ambient_raise(Int32(number)) }
            }
        }
    }

    func installSeccomp() throws(RuntimeError) {
        guard let seccomp else { return }
        let program = seccomp.instructions.map { bosun_sock_filter(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        try Sys.check("install the seccomp filter") {
            bosun_seccomp_load(program, UInt16(clamping: program.count), seccomp.flags)
        }
    }

    var environment: [String] {
        process.env ?? []
    }

    /// `args[0]` as a path: as given when it has a slash, else searched in the container's PATH.
    func resolveExecutable(user: ResolvedUser) throws(RuntimeError) -> String {
        let name = process.args?.first ?? ""
        let step = "exec `\(name)`"
        if name.contains("/") {
            try Sys.check(step) { access(name, X_OK) }
            return name
        }
        let path = environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = directory + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw RuntimeError(step, errno: ENOENT, hint: "not found in the container's PATH \(path)")
    }

    /// Marks every descriptor above stderr close-on-exec and execs; on failure reports and exits 127.
    func exec(_ executable: String, arguments: [String], channel: InitChannel) -> Never {
        _ = bosun_close_range(3, UInt32.max, BOSUN_CLOSE_RANGE_CLOEXEC)
        var env = environment
        if !env.contains(where: { $0.hasPrefix("HOME=") }) {
            env.append("HOME=" + (Sys.readFile("/etc/passwd").flatMap { homeOf(uid: getuid(), in: $0) } ?? "/"))
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        execve(executable, argv, envp)
        let error = RuntimeError("exec `\(executable)`", errno: Glibc.errno)
        channel.fail(error)
        _ = Array("bosun: \(error)\n".utf8).withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        _exit(127)
    }

    func homeOf(uid: uid_t, in passwd: String) -> String? {
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 7, UInt32(fields[2]) == uid { return String(fields[5]) }
        }
        return nil
    }
}
