public import BosunCgroups
import CBosunSys
import Glibc

/// A container started under its monitor.
public struct DetachedStart: Sendable, Hashable {
    /// The container's init, in the caller's pid namespace.
    public var pid: Int32
    /// The monitor that holds its stdio, writes its log and records its exit.
    public var monitorPid: Int32
}

extension ContainerRuntime {
    /// create + start under a container monitor, returning once the container's process runs. The monitor
    /// (see `MonitorConfiguration`) outlives the caller: it logs stdout/stderr and writes the exit record when
    /// the container's init ends. `beforeStart` runs with the init's pid before start (network attachment); a
    /// failure anywhere deletes the container, and the monitor exits without an exit record.
    ///
    /// The monitor is orphaned at once: it is reparented to the nearest child subreaper among the caller's
    /// ancestors (or the caller itself, when it is one), which must reap it when it exits.
    public func runDetached(id: String, bundle: String, monitor: MonitorConfiguration, options: CreateOptions = CreateOptions(),
                            beforeStart: ((Int32) throws -> Void)? = nil) throws(RuntimeError) -> DetachedStart {
        let spawner = MonitorSpawner(configuration: monitor)
        var options = options
        if options.consoleSocket == nil { options.consoleSocket = monitor.consolePath }
        let launched: Launched
        do {
            launched = try launch(id: id, bundle: bundle, options: options, spawner: spawner)
        } catch {
            spawner.abandon()
            throw error
        }
        do throws(RuntimeError) {
            if let beforeStart {
                do { try beforeStart(launched.pid) } catch {
                    throw RuntimeError("prepare container `\(id)` before start", detail: "\(error)")
                }
            }
            try start(id: id)
            // End of file: the init exec'd (the socket was close-on-exec); a message: exec failed.
            if let failure = (try? InitChannel(fd: launched.channel).receive())??.error { throw failure }
        } catch {
            Sys.close(launched.channel)
            spawner.abandon()
            try? delete(id: id, force: true)
            throw error
        }
        Sys.close(launched.channel)
        spawner.commit(pid: launched.pid)
        return DetachedStart(pid: launched.pid, monitorPid: spawner.monitorPid)
    }

    /// The container's cgroup usage (memory, pids, OOM kills), when it has a cgroup that still exists.
    public func cgroupStats(id: String) -> CgroupStats? {
        guard let record = try? store.load(id), let path = record.cgroupPath, let cgroup = ContainerCgroup.open(recordedPath: path, root: record.cgroupRoot ?? cgroupRoot) else {
            return nil
        }
        return try? cgroup.manager.stats()
    }
}
