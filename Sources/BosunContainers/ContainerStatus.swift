public import BosunCgroups
public import Foundation

/// A detached container as `ps` and the agent see it: bosun's metadata, its state, and cgroup usage.
public struct ContainerStatus: Sendable {
    /// Where the container is in its life.
    public enum State: Sendable, Hashable {
        /// Its process runs (pid in the caller's namespace); `monitored` is false when its monitor died.
        case running(pid: Int32, monitored: Bool)
        /// It ended; the monitor's record says how.
        case exited(ExitRecord)
        /// Neither running nor recorded: the start was interrupted, or the monitor was killed before the exit.
        case unknown(String)
    }

    public var metadata: ContainerMetadata
    /// Its key on the host (its directory): the name but for a container created beside another of its name.
    public var id: String
    public var state: State
    /// The monitor's pid, when it is alive.
    public var monitorPid: Int32?
    /// Memory, pids and OOM kills from the container's cgroup, while it exists.
    public var stats: CgroupStats?

    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    /// `Up 5 minutes`, `Exited (137) 2 minutes ago (OOM)`, like `docker ps`.
    public func statusText(now: Date = Date()) -> String {
        switch state {
        case .running(_, let monitored):
            let since = metadata.started ?? metadata.created
            return "Up " + HumanDuration.text(now.timeIntervalSince(since)) + (monitored ? "" : " (monitor gone)")
        case .exited(let record):
            let ago = HumanDuration.text(now.timeIntervalSince(LogTime.date(record.finishedAt)))
            return "Exited (\(record.exitCode)) \(ago) ago" + (record.oomKilled ? " (OOM)" : "")
        case .unknown:
            return "Unknown"
        }
    }
}
