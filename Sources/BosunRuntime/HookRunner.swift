import BosunOCI
import Foundation
import Glibc

/// Runs OCI hooks: each program gets the container's state JSON on stdin and must exit 0.
enum HookRunner {
    static func run(_ hooks: [RuntimeSpec.Hook]?, phase: String, state: ContainerState) throws(RuntimeError) {
        guard let hooks, !hooks.isEmpty else { return }
        let json = (try? Array(JSONEncoder().encode(state))) ?? []
        for hook in hooks {
            try run(hook, phase: phase, input: json)
        }
    }

    static func run(_ hook: RuntimeSpec.Hook, phase: String, input: [UInt8]) throws(RuntimeError) {
        let step = "\(phase) hook `\(hook.path)`"
        var pipeFDs: [Int32] = [0, 0]
        try Sys.check(step) { pipe(&pipeFDs) }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let status = try Spawn.run(hook.path, arguments: hook.args ?? [hook.path], environment: hook.env ?? [], stdin: pipeFDs[0],
                                   step: step) {
            Sys.close(pipeFDs[0])
            try? Sys.write(pipeFDs[1], input, step: step)
            Sys.close(pipeFDs[1])
        }
        guard status == 0 else { throw RuntimeError(step, detail: "exited with status \(WaitStatus.shellCode(status))") }
    }
}

/// posix_spawn with explicit descriptors: the one way the runtime starts programs (the helper and hooks).
enum Spawn {
    /// Starts `path` with `fds` placed at the given numbers (others are closed on exec) and returns its pid.
    static func start(_ path: String, arguments: [String], environment: [String], fds: [(Int32, Int32)], step: String) throws(RuntimeError) -> pid_t {
        // Copy the sources above every target first: a dup2 onto 3 must not clobber a source still to be placed.
        var copies: [Int32] = []
        defer { copies.forEach(Sys.close) }
        for (from, _) in fds {
            copies.append(try Sys.check(step) { fcntl(from, F_DUPFD_CLOEXEC, 64) })
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
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
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
