/// How `ContainerRuntime.exec` runs a process in a running container; the defaults are `runc exec`'s (the
/// caller's stdout and stderr, stdin from /dev/null, no terminal, no timeout, the container's user and cwd).
public struct ExecOptions: Sendable, Hashable {
    /// Where the process's stdout and stderr go.
    public enum Output: Sendable, Hashable {
        /// The caller's stdout and stderr.
        case inherit
        /// Both streams into one buffer that keeps the last `limit` bytes (health checks keep 4 KiB).
        case capture(limit: Int)
        /// /dev/null.
        case discard
    }

    public var output: Output
    /// Whether the process reads the caller's stdin (else /dev/null).
    public var stdin: Bool
    /// A pty from the container's devpts as the process's controlling terminal and stdio; its master is
    /// `ExecProcess.terminal` (overrides `output` and `stdin`).
    public var terminal: Bool
    /// Killed with SIGKILL after this long; the result then says `timedOut` (status 137).
    public var timeout: Duration?
    /// `KEY=VALUE` pairs added to the process's environment (replacing a variable of the same name).
    public var environment: [String]
    /// `user[:group]`, names or numbers resolved in the container's /etc/passwd and /etc/group, instead of the
    /// process's user.
    public var user: String?
    public var workingDirectory: String?
    /// Start and return at once: the process is not the caller's child and is not waited for.
    public var detached: Bool
    /// Write the process's host pid here.
    public var pidFile: String?

    public init(output: Output = .inherit, stdin: Bool = false, terminal: Bool = false, timeout: Duration? = nil,
                environment: [String] = [], user: String? = nil, workingDirectory: String? = nil, detached: Bool = false,
                pidFile: String? = nil) {
        self.output = output
        self.stdin = stdin
        self.terminal = terminal
        self.timeout = timeout
        self.environment = environment
        self.user = user
        self.workingDirectory = workingDirectory
        self.detached = detached
        self.pidFile = pidFile
    }
}

/// How a process run with `ContainerRuntime.exec` ended.
public struct ExecResult: Sendable, Hashable {
    /// The exit code, or 128 + the signal that killed it (137 after a timeout); 0 for a detached process.
    public var status: Int32
    /// The captured stdout and stderr (the last `limit` bytes) with `.capture`; empty otherwise.
    public var output: [UInt8]
    /// Whether more was written than `output` kept.
    public var outputTruncated: Bool
    /// Whether the timeout killed the process.
    public var timedOut: Bool
    /// The process's host pid.
    public var pid: Int32

    public init(status: Int32, output: [UInt8] = [], outputTruncated: Bool = false, timedOut: Bool = false, pid: Int32) {
        self.status = status
        self.output = output
        self.outputTruncated = outputTruncated
        self.timedOut = timedOut
        self.pid = pid
    }
}
