import Glibc

/// Signal names as Docker takes them (`SIGTERM`, `TERM`, `15`, `SIGRTMIN+3`).
public enum SignalName {
    static let table: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT, "BUS": SIGBUS, "FPE": SIGFPE,
        "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2, "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM,
        "STKFLT": SIGSTKFLT, "CHLD": SIGCHLD, "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU,
        "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO,
        "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    /// The signal's number; nil when the name is unknown.
    public static func number(_ text: String) -> Int32? {
        if let value = Int32(text) { return (1...64).contains(value) ? value : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if name.hasPrefix("RTMIN+"), let offset = Int32(name.dropFirst(6)), (0...30).contains(offset) { return 34 + offset }
        if name.hasPrefix("RTMAX-"), let offset = Int32(name.dropFirst(6)), (0...30).contains(offset) { return 64 - offset }
        return table[name]
    }
}
