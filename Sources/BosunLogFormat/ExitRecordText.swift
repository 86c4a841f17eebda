/// The exit record the monitor writes when a container's init ends (`exit.json`), by hand so the monitor needs
/// no Foundation: `{"exit_code":137,"signal":9,"oom_killed":true,"started_at":"…","finished_at":"…"}`.
public struct ExitRecordText: Sendable, Hashable {
    /// The status a shell shows: the exit code, or 128 + the signal.
    public var exitCode: Int32
    /// The signal that killed the init; nil when it exited.
    public var signal: Int32?
    /// The cgroup counted an OOM kill while the container ran.
    public var oomKilled: Bool
    public var startedAt: LogTimestamp?
    public var finishedAt: LogTimestamp

    public init(exitCode: Int32, signal: Int32?, oomKilled: Bool, startedAt: LogTimestamp?, finishedAt: LogTimestamp) {
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// From a `waitpid` status: the code, or 128 + the signal.
    public init(waitStatus status: Int32, oomKilled: Bool, startedAt: LogTimestamp?, finishedAt: LogTimestamp) {
        let signal = status & 0x7F
        self.init(exitCode: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, signal: signal == 0 ? nil : signal,
                  oomKilled: oomKilled, startedAt: startedAt, finishedAt: finishedAt)
    }

    /// The JSON object and a newline.
    public var bytes: [UInt8] {
        var output = Array("{\"exit_code\":\(exitCode),\"signal\":".utf8)
        output += Array((signal.map { "\($0)" } ?? "null").utf8)
        output += Array(",\"oom_killed\":\(oomKilled ? "true" : "false"),\"started_at\":".utf8)
        if let startedAt {
            output.append(UInt8(ascii: "\""))
            startedAt.appendRFC3339(to: &output)
            output.append(UInt8(ascii: "\""))
        } else {
            output += Array("null".utf8)
        }
        output += Array(",\"finished_at\":\"".utf8)
        finishedAt.appendRFC3339(to: &output)
        output += Array("\"}\n".utf8)
        return output
    }
}
