import CBosunSys
import Glibc

/// How `stop` ended a container.
public enum StopOutcome: Sendable, Hashable {
    /// It was not running.
    case notRunning
    /// Its init exited within the grace period after the stop signal.
    case exited
    /// The grace period ran out: every process in its cgroup got SIGKILL.
    case killed
}

extension ContainerRuntime {
    /// Stops a running container: `signal` (default SIGTERM) to its init through a pidfd (checked against the recorded start
    /// time), up to `grace` seconds watching the pidfd, then SIGKILL to the init and to every process in the
    /// container's cgroup — so daemons it forked (outside its pid namespace's reach or not) are gone too. The
    /// cgroup is emptied even when the init exited in time.
    @discardableResult
    public func stop(id: String, signal: Int32 = 15, grace: Double = 10) throws(RuntimeError) -> StopOutcome {
        let record = try store.load(id)
        let cgroup = record.cgroupPath.flatMap { ContainerCgroup.open(recordedPath: $0, root: record.cgroupRoot ?? cgroupRoot) }
        var outcome = StopOutcome.notRunning
        let pidfd = bosun_pidfd_open(record.pid)
        if pidfd >= 0 {
            defer { Sys.close(pidfd) }
            if let info = ProcStat(pid: record.pid), info.startTime == record.startTime, info.state != "Z" {
                if grace > 0 && bosun_pidfd_send_signal(pidfd, signal) == 0 && ContainerRuntime.waitReadable(pidfd, seconds: grace) {
                    outcome = .exited
                } else {
                    outcome = .killed
                    _ = bosun_pidfd_send_signal(pidfd, SIGKILL)
                }
            }
        }
        if let cgroup {
            do {
                try cgroup.manager.kill()
            } catch {
                throw RuntimeError("kill the processes of container `\(id)`", detail: "\(error)")
            }
        }
        if outcome != .notRunning { ContainerRuntime.waitForExit(pid: record.pid, startTime: record.startTime) }
        return outcome
    }

    /// Polls a pidfd (readable once the process exited) for up to `seconds`.
    static func waitReadable(_ fd: Int32, seconds: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var remaining = Int32(clamping: Int(seconds * 1000))
        while true {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let result = poll(&entry, 1, remaining)
            if result > 0 { return true }
            if result == 0 { return false }
            guard errno == EINTR else { return false }
            var later = timespec()
            clock_gettime(CLOCK_MONOTONIC, &later)
            remaining -= Int32(clamping: (Int(later.tv_sec) - Int(now.tv_sec)) * 1000 + (Int(later.tv_nsec) - Int(now.tv_nsec)) / 1_000_000)
            if remaining <= 0 { return false }
        }
    }
}
