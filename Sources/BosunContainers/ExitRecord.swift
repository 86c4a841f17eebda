public import BosunLogFormat
import Foundation

/// How a detached container ended, as its monitor recorded it in `exit.json`.
public struct ExitRecord: Sendable, Hashable {
    /// The code a shell shows: the exit status, or 128 + the signal (137 for an OOM kill).
    public var exitCode: Int32
    /// The signal that killed the container's init; nil when it exited.
    public var signal: Int32?
    /// The container's cgroup counted an OOM kill while it ran.
    public var oomKilled: Bool
    public var startedAt: LogTimestamp?
    public var finishedAt: LogTimestamp

    private struct File: Decodable {
        var exit_code: Int32
        var signal: Int32?
        var oom_killed: Bool
        var started_at: String?
        var finished_at: String
    }

    /// Reads `exit.json`; nil when it is missing or not a record.
    public static func read(_ path: String) -> ExitRecord? {
        guard let data = FileManager.default.contents(atPath: path),
              let file = try? JSONDecoder().decode(File.self, from: data), let finished = LogTime.parse(file.finished_at)
        else { return nil }
        return ExitRecord(exitCode: file.exit_code, signal: file.signal, oomKilled: file.oom_killed,
                          startedAt: file.started_at.flatMap(LogTime.parse), finishedAt: finished)
    }
}
