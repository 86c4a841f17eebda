import CBosunSys
import Glibc

/// posix_spawn with explicit descriptors — or clone3 into a cgroup — the one way the runtime starts programs
/// (the helper and hooks).
enum Spawn {
    /// Starts `path` with `fds` placed at the given numbers (others are closed on exec) and returns its pid.
    /// With `intoCgroup` (a cgroup v2 directory's descriptor) the child is cloned straight into that cgroup
    /// (`CLONE_INTO_CGROUP`); on a kernel or sandbox without it, it starts where the caller is.
    static func start(_ path: String, arguments: [String], environment: [String], fds: [(Int32, Int32)],
                      intoCgroup cgroupFD: Int32? = nil, step: String) throws(RuntimeError) -> pid_t {
        // Copy the sources above every target first: a dup2 onto 3 must not clobber a source still to be placed.
        // Just above, not far above: growing a multithreaded process's descriptor table past its first 64
        // slots waits for an RCU grace period (expand_fdtable → synchronize_rcu), ~10 ms per container start.
        let above = (fds.map(\.1).max() ?? 2) + 1
        var copies: [Int32] = []
        defer { copies.forEach(Sys.close) }
        for (from, _) in fds {
            copies.append(try Sys.check(step) { fcntl(from, F_DUPFD_CLOEXEC, above) })
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        if let cgroupFD {
            var pairs = zip(copies, fds.map(\.1)).flatMap { [$0, $1] }
            let pid = bosun_spawn_into_cgroup(path, argv, envp, &pairs, Int32(fds.count), cgroupFD)
            if pid > 0 { return pid }
            let code = errno
            guard bosun_lacks_clone_into_cgroup(code) != 0 else { throw RuntimeError(step, errno: code) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (index, (_, to)) in fds.enumerated() { posix_spawn_file_actions_adddup2(&actions, copies[index], to) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw RuntimeError(step, errno: result) }
        return pid
    }

    /// Starts a program with `stdin`, runs `afterStart`, and waits for it; returns the wait status.
    static func run(_ path: String, arguments: [String], environment: [String], stdin: Int32, step: String,
                    afterStart: () -> Void) throws(RuntimeError) -> Int32 {
        let pid = try start(path, arguments: arguments, environment: environment, fds: [(stdin, 0)], step: step)
        afterStart()
        guard let status = Sys.waitpid(pid) else { throw RuntimeError("wait for \(step)", errno: Glibc.errno) }
        return status
    }
}
