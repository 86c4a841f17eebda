import BosunOCI
import Foundation
import Glibc

/// Runs OCI hooks: each program gets the container's state JSON on stdin and must exit 0.
enum HookRunner {
    /// Runs `hooks` in order and stops at the first that fails (prestart, createRuntime, createContainer,
    /// startContainer: the spec makes their failure an error).
    static func run(_ hooks: [RuntimeSpec.Hook]?, phase: String, state: ContainerState) throws(RuntimeError) {
        guard let hooks, !hooks.isEmpty else { return }
        let json = (try? Array(JSONEncoder().encode(state))) ?? []
        for hook in hooks {
            try run(hook, phase: phase, input: json)
        }
    }

    /// Runs every hook in `hooks`, a failing one reported to `warn` (poststart, poststop: the spec says the
    /// runtime MUST log a warning and the remaining hooks and the lifecycle continue as if it had succeeded).
    static func runWarning(_ hooks: [RuntimeSpec.Hook]?, phase: String, state: ContainerState, warn: (String) -> Void) {
        guard let hooks, !hooks.isEmpty else { return }
        let json = (try? Array(JSONEncoder().encode(state))) ?? []
        for hook in hooks {
            do {
                try run(hook, phase: phase, input: json)
            } catch {
                warn(error.description)
            }
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
            writeIgnoringBrokenPipe(pipeFDs[1], input)
            Sys.close(pipeFDs[1])
        }
        guard status == 0 else { throw RuntimeError(step, detail: "exited with status \(WaitStatus.shellCode(status))") }
    }

    /// Writes the state to a hook's stdin. A hook need not read it: one that exits first makes the write fail
    /// with EPIPE, and the SIGPIPE the kernel sends with it — fatal by default, and the CLI keeps the default
    /// — is blocked on this thread for the write and consumed, so it neither kills the caller nor reaches
    /// another thread later.
    static func writeIgnoringBrokenPipe(_ fd: Int32, _ bytes: [UInt8]) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var pending = sigset_t()
        sigpending(&pending)
        let pendingBefore = sigismember(&pending, SIGPIPE) == 1
        do {
            try Sys.write(fd, bytes, step: "write the state to a hook")
        } catch {
            guard error.errno == EPIPE, !pendingBefore else { return }
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &now) < 0 && Glibc.errno == EINTR {}
        }
    }
}
