/// The monitor's command line, as `bosun` writes it.
struct MonitorArguments {
    /// The json-file log (`ctr.log`); rotated files get `.1`, `.2`, … appended.
    var logPath = ""
    /// Where the exit record goes (`exit.json`), written atomically.
    var exitPath = ""
    /// Where the monitor's pid and start time go (`monitor.pid`).
    var pidPath = ""
    /// The runtime helper to spawn (`bosun-init`, or `bosun` itself).
    var helperPath = ""
    /// Rotate when the log would grow past this many bytes; 0 = never.
    var maxSize: Int64 = 0
    /// How many log files to keep, the current one included (at least 1).
    var maxFile = 1
    /// The cgroup file with the `oom_kill` counter (`memory.oom_control` on v1, `memory.events` on v2).
    var oomPath: String?
    /// Spawn the helper into this cgroup v2 directory (`--cgroup-fd 5`, a descriptor the caller passes).
    var cgroupDescriptor: Int32?
    /// `--stdio attached`: the container's stdin, stdout and stderr are the descriptors 6, 7 and 8 the caller
    /// passes (a foreground `bosun run`), not /dev/null and the log; nothing is logged.
    var attached = false
    /// `--console PATH`: listen there for the container's pty master (`process.terminal`, `run -d -t`) and log
    /// what the container writes to its terminal as stdout.
    var consolePath: String?
    /// `--autoremove BOSUN --name NAME --state-dir DIR`: once the exit record is written, exec `BOSUN rm -f
    /// --state-dir DIR NAME` (a `--rm` container is removed even when the `bosun` that ran it is gone).
    var autoremove: String?
    var name: String?
    var stateDirectory: String?

    /// The helper's end of the init socket, as the caller passes it.
    static let socketDescriptor: Int32 = 3
    /// The read end of the control pipe: the caller writes `pid N` once the container started, or closes it.
    static let controlDescriptor: Int32 = 4
    /// With `--stdio attached`: the container's stdin, stdout and stderr.
    static let attachedDescriptors: [Int32] = [6, 7, 8]

    struct Problem: Error {
        var message: String
    }

    static func parse(_ words: [String]) -> Result<MonitorArguments, Problem> {
        var parsed = MonitorArguments()
        var index = 0
        while index < words.count {
            let flag = words[index]
            guard index + 1 < words.count else { return .failure(Problem(message: "usage: \(flag) needs a value")) }
            let value = words[index + 1]
            switch flag {
            case "--log": parsed.logPath = value
            case "--exit-file": parsed.exitPath = value
            case "--pid-file": parsed.pidPath = value
            case "--helper": parsed.helperPath = value
            case "--oom-file": parsed.oomPath = value
            case "--cgroup-fd":
                guard let fd = Int32(value), fd > 4 else { return .failure(Problem(message: "usage: --cgroup-fd \(value): not a descriptor above 4")) }
                parsed.cgroupDescriptor = fd
            case "--stdio":
                guard value == "attached" || value == "log" else { return .failure(Problem(message: "usage: --stdio attached|log")) }
                parsed.attached = value == "attached"
            case "--console": parsed.consolePath = value
            case "--autoremove": parsed.autoremove = value
            case "--name": parsed.name = value
            case "--state-dir": parsed.stateDirectory = value
            case "--max-size":
                guard let size = Int64(value), size >= 0 else { return .failure(Problem(message: "usage: --max-size \(value): not a byte count")) }
                parsed.maxSize = size
            case "--max-file":
                guard let count = Int(value), count >= 1 else { return .failure(Problem(message: "usage: --max-file \(value): give 1 or more")) }
                parsed.maxFile = count
            default: return .failure(Problem(message: "usage: unknown option \(flag)"))
            }
            index += 2
        }
        if parsed.autoremove != nil && (parsed.name == nil || parsed.stateDirectory == nil) {
            return .failure(Problem(message: "usage: --autoremove needs --name and --state-dir"))
        }
        for (flag, value) in [("--log", parsed.logPath), ("--exit-file", parsed.exitPath), ("--pid-file", parsed.pidPath),
                              ("--helper", parsed.helperPath)] where value.isEmpty {
            return .failure(Problem(message: "usage: \(flag) is required"))
        }
        return .success(parsed.anchored(at: Posix.currentDirectory()))
    }

    /// The same arguments with every relative path made absolute under `directory`: the monitor outlives its
    /// caller and works from `/`, so that it never keeps the caller's working directory busy (an unmount, a
    /// removed directory) for the container's whole life.
    func anchored(at directory: String?) -> MonitorArguments {
        guard let directory else { return self }
        func absolute(_ path: String) -> String { path.isEmpty || path.hasPrefix("/") ? path : directory + "/" + path }
        var anchored = self
        anchored.logPath = absolute(logPath)
        anchored.exitPath = absolute(exitPath)
        anchored.pidPath = absolute(pidPath)
        anchored.helperPath = helperPath.contains("/") ? absolute(helperPath) : helperPath
        anchored.oomPath = oomPath.map(absolute)
        anchored.consolePath = consolePath.map(absolute)
        anchored.stateDirectory = stateDirectory.map(absolute)
        anchored.autoremove = autoremove.map { $0.contains("/") ? absolute($0) : $0 }
        return anchored
    }
}
