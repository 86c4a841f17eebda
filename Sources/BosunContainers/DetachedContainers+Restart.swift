public import BosunRuntime
import Foundation
import Glibc

extension DetachedContainers {
    /// Forgets how an exited container ended so that `create` can start it again from the same bundle and
    /// overlay (as `docker start` does): the runtime's state, the exit record and the metadata go; the logs, the
    /// container's files and its upper layer stay. A running container is refused.
    public func forgetExited(_ name: String) throws(Failure) {
        let status = try inspect(name)
        guard !status.isRunning else {
            throw RuntimeError("start container `\(name)` again", detail: "it is still running")
        }
        waitForMonitor(name, status.monitorPid)
        if (try? runtime.state(id: name)) != nil { try runtime.delete(id: name, force: true) }
        let monitor = monitorConfiguration(name, log: status.metadata.log)
        for file in [monitor.exitPath, monitor.pidPath] { unlink(file) }
        do {
            try record(name).update { current in
                current?.phase = .created
                current?.started = nil
                current?.stoppedByUser = nil
                current?.address = nil
                current?.publishedPorts = nil
            }
        } catch {
            throw RuntimeError("start container `\(name)` again", detail: "\(error)")
        }
    }

    /// Starts an exited container again from its bundle, overlay and metadata (`docker start` of a `bosun run -d`
    /// container): the exit record and the stop mark go, the logs and the upper layer stay. `beforeStart` gets the
    /// init's pid between create and start (attach its network again there). Returns nil when it already runs.
    /// If the start fails, the metadata is written back so that `ps -a` still lists it and `rm` can remove it.
    @discardableResult
    public func startAgain(_ name: String, beforeStart: ((Int32) throws -> Void)? = nil) throws(Failure) -> DetachedStart? {
        let status = try inspect(name, stats: false)
        guard !status.isRunning else { return nil }
        try forgetExited(name)
        var metadata = status.metadata
        metadata.started = nil
        do {
            return try create(metadata, id: name, beforeStart: beforeStart)
        } catch {
            _ = try? record(name).update { $0?.phase = .started }
            throw error
        }
    }

    /// Records that a person asked for this container to stop (`bosun stop`, before it stops it), so the agent
    /// knows the exit was asked for (`unless-stopped` then leaves it stopped). Cleared when it starts again.
    public func markStoppedByUser(_ name: String) throws(Failure) {
        do {
            try record(name).update { $0?.stoppedByUser = Date() }
        } catch {
            throw RuntimeError("stop container `\(name)`", detail: "\(error)")
        }
    }

    /// Whether the container's last stop was asked for by a person (`bosun stop`).
    public func wasStoppedByUser(_ name: String) -> Bool {
        (try? record(name).read())??.stoppedByUser != nil
    }
}
