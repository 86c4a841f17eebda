/// Where a detached container's monitor (`bosun-monitor`) keeps its files and how it rotates the log.
public struct MonitorConfiguration: Sendable {
    /// The static `bosun-monitor` executable.
    public var executable: String
    /// The directory for `ctr.log` (and rotated `ctr.log.N`), `exit.json`, `monitor.pid` and `monitor.err`.
    public var directory: String
    /// Rotate the log before it would grow past this many bytes; 0 never rotates.
    public var maxLogSize: Int64
    /// Log files to keep, the current one included (1 truncates instead of rotating).
    public var maxLogFiles: Int

    /// A foreground container's stdin, stdout and stderr (the caller's): passed to the container as they are,
    /// instead of /dev/null and the log.
    public var attachedStdio: [Int32]?
    /// Where the monitor listens for the container's pty master (`run -d -t`): the terminal's output is logged.
    public var consolePath: String?
    /// `bosun rm -f` of the container once it exited (`--rm`), as `(bosun executable, name, state directory)`.
    public var autoremove: (bosun: String, name: String, stateDirectory: String)?

    public init(executable: String, directory: String, maxLogSize: Int64 = 0, maxLogFiles: Int = 1) {
        self.executable = executable
        self.directory = directory
        self.maxLogSize = maxLogSize
        self.maxLogFiles = max(1, maxLogFiles)
    }

    public var logPath: String { directory + "/ctr.log" }
    public var exitPath: String { directory + "/exit.json" }
    public var pidPath: String { directory + "/monitor.pid" }
    public var errorPath: String { directory + "/monitor.err" }
}
