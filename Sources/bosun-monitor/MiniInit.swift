import CBosunSys
import Glibc

/// `init: true`: a minimal PID 1 (like tini, Docker's docker-init). It starts CMD, forwards the usual
/// termination and job signals to it, reaps every zombie the container's orphans leave, and exits with CMD's
/// status (128 + the signal when CMD was killed). Signals are blocked and taken with sigwaitinfo: a blocked
/// signal reaches a namespace's PID 1 even without a handler.
enum MiniInit {
    static let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGCONT]

    /// CMD when argv asks for init mode: `/.bosun/init -- CMD…`, `… init -- CMD…`.
    static func command(_ arguments: [String]) -> [String]? {
        let invokedAsInit = arguments.first.map { $0 == "init" || $0.hasSuffix("/init") } ?? false
        var rest = Array(arguments.dropFirst())
        if !invokedAsInit {
            guard rest.first == "init" else { return nil }
            rest.removeFirst()
        }
        if rest.first == "--" { rest.removeFirst() }
        return rest
    }

    static func run(_ command: [String]) -> Never {
        guard !command.isEmpty else {
            Posix.report("init: usage: init -- CMD [ARG…]")
            exit(2)
        }
        if getpid() != 1 { _ = bosun_set_child_subreaper(1) }
        var set = sigset_t()
        sigemptyset(&set)
        for signal in forwarded + [SIGCHLD] { sigaddset(&set, signal) }
        var previous = sigset_t()
        sigprocmask(SIG_BLOCK, &set, &previous)
        let child = fork()
        if child < 0 {
            Posix.report("init: fork: \(Posix.errorText(errno))")
            exit(1)
        }
        if child == 0 {
            sigprocmask(SIG_SETMASK, &previous, nil)
            let argv = command.map { strdup($0) } + [nil]
            execvp(command[0], argv)
            let code = errno
            Posix.report("init: exec `\(command[0])`: \(Posix.errorText(code))")
            _exit(code == ENOENT ? 127 : 126)
        }
        var info = siginfo_t()
        while true {
            let signal = sigwaitinfo(&set, &info)
            if signal < 0 { continue }
            if signal != SIGCHLD {
                kill(child, signal)
                continue
            }
            var status: Int32 = 0
            while true {
                let pid = waitpid(-1, &status, WNOHANG)
                if pid <= 0 { break }
                if pid == child { exit(status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)) }
            }
        }
    }
}
