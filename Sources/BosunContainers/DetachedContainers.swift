import BosunModel
import BosunCgroups
public import BosunRuntime
import BosunImageStore
import CBosunSys
import Foundation
import Glibc
import BosunLinux

/// Detached containers: started under a `bosun-monitor` that outlives the caller, stopped, removed, listed,
/// their logs read. Each lives in `<state>/containers/<name>/` (`container.json`, `ctr.log*`, `exit.json`,
/// `monitor.pid`, `monitor.err`, and whatever the caller keeps there, such as the bundle), with the runtime's
/// state under the runtime's root. Every call blocks: call it off the cooperative thread pool.
public struct DetachedContainers: Sendable {
    /// bosun's state directory (`/var/lib/bosun`).
    public let stateDirectory: String
    public let runtime: ContainerRuntime
    /// The static `bosun-monitor` executable.
    public let monitorExecutable: String

    public init(stateDirectory: String, runtime: ContainerRuntime, monitorExecutable: String) {
        self.stateDirectory = stateDirectory
        self.runtime = runtime
        self.monitorExecutable = monitorExecutable
    }

    /// A failure, with the action, the container and the cause, as `RuntimeError` words them.
    public typealias Failure = RuntimeError

    public func directory(_ name: String) -> String { StateLayout(stateDirectory).container(name) }
    /// The record of `name` (`container.json`).
    public func record(_ name: String) -> ContainerRecordFile { ContainerRecordFile(directory: directory(name)) }

    public func monitorConfiguration(_ name: String, log: LogOptions) -> MonitorConfiguration {
        MonitorConfiguration(executable: monitorExecutable, directory: directory(name), maxLogSize: log.maxSize ?? 0, maxLogFiles: log.maxFile ?? 1)
    }

    /// Creates and starts the container `id` (default: `metadata.name`) from `metadata.bundle` under a monitor, and returns once its process
    /// runs. `beforeStart` gets the init's pid between create and start (attach networks there). On failure
    /// the container is deleted and the files written here are removed; the directory and the bundle stay the
    /// caller's to clean.
    /// `adjust` changes the monitor's configuration (a foreground run's stdio, a console, `--rm`); `options` the
    /// runtime's (a console socket of the caller's).
    @discardableResult
    public func create(_ metadata: ContainerMetadata, id: String? = nil, options: CreateOptions = CreateOptions(),
                       beforeStart: ((Int32) throws -> Void)? = nil,
                       adjust: (inout MonitorConfiguration) -> Void = { _ in }) throws(Failure) -> DetachedStart {
        let name = id ?? metadata.name
        let record = record(name)
        var phaseBefore: ContainerMetadata.Phase = .preparing
        do {
            try FileManager.default.createDirectory(atPath: directory(name), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // What the caller does not own stays as the directory's record has it: who prepared it, and what a
            // service container was created from.
            try record.update { current in
                phaseBefore = current?.phase ?? .preparing
                var next = metadata
                next.phase = .started
                // A new start: what the last run recorded (its start, address, ports, a stop asked for) goes.
                next.started = nil
                next.address = nil
                next.publishedPorts = nil
                next.stoppedByUser = nil
                next.creator = current?.creator ?? metadata.creator
                next.service = metadata.service ?? current?.service
                current = next
            }
        } catch {
            throw RuntimeError("create container `\(name)`", detail: "write `\(record.path)`: \(error)")
        }
        var monitor = monitorConfiguration(name, log: metadata.log)
        adjust(&monitor)
        // What an earlier start killed in the middle of the runtime's create left would block this one.
        runtime.removeIncomplete(id: name, bundle: metadata.bundle)
        do {
            let started = try runtime.runDetached(id: name, bundle: metadata.bundle, monitor: monitor, options: options, beforeStart: beforeStart)
            _ = try? record.update { $0?.started = Date() }
            return started
        } catch {
            // Back to before the start: not listed, nothing recorded of a run that did not happen.
            _ = try? record.update { current in
                current?.phase = phaseBefore == .started ? .created : phaseBefore
                current?.started = nil
                current?.address = nil
                current?.publishedPorts = nil
            }
            for file in [monitor.pidPath, monitor.exitPath, monitor.errorPath] + ContainerLogReader(path: monitor.logPath).files {
                unlink(file)
            }
            throw error
        }
    }

    /// The container's metadata, state and (with `stats`) its cgroup usage.
    public func inspect(_ name: String, stats withStats: Bool = true) throws(Failure) -> ContainerStatus {
        let metadata: ContainerMetadata
        do {
            // Only a container whose start was asked for is one: a directory being prepared, or a service
            // container created and never started, has no process to show.
            guard let record = try record(name).read(), record.phase == .started else {
                throw RuntimeError("find container `\(name)`", detail: "no such detached container", hint: "`bosun ps -a` lists them")
            }
            metadata = record
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError("find container `\(name)`", detail: "\(error)")
        }
        let monitor = monitorConfiguration(name, log: metadata.log)
        let monitorPid = DetachedContainers.alivePid(file: monitor.pidPath)
        let state: ContainerStatus.State
        if let record = ExitRecord.read(monitor.exitPath) {
            state = .exited(record)
        } else if let runtimeState = try? runtime.state(id: name), runtimeState.status != "stopped" || monitorPid != nil {
            // A stopped process whose monitor still runs is being drained: it counts as running until the
            // exit record is on disk, so a reader never sees an exit without its record.
            state = .running(pid: runtimeState.pid ?? 0, monitored: monitorPid != nil)
        } else {
            state = .unknown(monitorPid == nil ? "its monitor is gone and left no exit record" : "starting")
        }
        var stats: CgroupStats?
        if withStats, case .running = state { stats = runtime.cgroupStats(id: name) }
        return ContainerStatus(metadata: metadata, id: name, state: state, monitorPid: monitorPid, stats: stats)
    }

    /// Every detached container, by name.
    public func list() -> [ContainerStatus] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: StateLayout(stateDirectory).containers)) ?? []
        return names.sorted().compactMap { try? inspect($0) }
    }

    /// Writes every container directory's record in format 2 where it is still in format 1 (an upgrade of
    /// bosun): metadata only, nothing restarts. Returns the names migrated, and those that failed with why.
    public func migrateRecords() -> (migrated: [String], failed: [String: String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: StateLayout(stateDirectory).containers)) ?? []
        var migrated: [String] = [], failed: [String: String] = [:]
        for name in names.sorted() {
            do {
                if try record(name).migrate() { migrated.append(name) }
            } catch {
                failed[name] = "\(error)"
            }
        }
        return (migrated, failed)
    }

    /// Stops a running container: its stop signal (or `signal`), up to `grace` seconds (default: its stop
    /// timeout, else 10), then SIGKILL to everything in its cgroup; returns once the monitor recorded the exit.
    @discardableResult
    public func stop(_ name: String, signal: Int32? = nil, grace: Double? = nil) throws(Failure) -> StopOutcome {
        let status = try inspect(name)
        guard status.isRunning else { return .notRunning }
        let stopSignal = signal ?? status.metadata.stopSignal.flatMap(SignalName.number) ?? SIGTERM
        let outcome = try runtime.stop(id: name, signal: stopSignal, grace: grace ?? status.metadata.stopTimeout ?? 10)
        waitForMonitor(name, status.monitorPid)
        return outcome
    }

    /// Removes a container: the runtime's state and cgroup, the overlay on its bundle's rootfs, and its
    /// directory. A running container is refused unless `force` (then killed first). Network attachments are
    /// the caller's (detach them before or after).
    public func remove(_ name: String, force: Bool = false) throws(Failure) {
        let status = try inspect(name)
        if status.isRunning {
            guard force else {
                throw RuntimeError("remove container `\(name)`", detail: "the container is running", hint: "stop it first or use -f")
            }
            try runtime.stop(id: name, signal: SIGKILL, grace: 0)
        }
        waitForMonitor(name, status.monitorPid)
        if (try? runtime.state(id: name)) != nil {
            try runtime.delete(id: name, force: true)
        } else {
            runtime.removeIncomplete(id: name, bundle: status.metadata.bundle)  // a start killed mid-create
        }
        let rootfs = status.metadata.bundle + "/rootfs"
        try? OverlayRootfs.unmount(rootfs)
        // A few tries: a process that was still writing into the directory (a probe's exec that ended just
        // now) can make one pass find it not empty.
        var failure: (any Error)?
        for attempt in 0..<5 {
            do {
                try FileManager.default.removeItem(atPath: directory(name))
                failure = nil
                break
            } catch {
                failure = error
                usleep(UInt32(20_000 << attempt))
            }
        }
        if let failure {
            throw RuntimeError("remove container `\(name)`", detail: "remove `\(directory(name))`: \(Self.describe(failure))")
        }
    }

    /// A file error in plain words: the system's reason (`Directory not empty`), not Foundation's "could not be completed".
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Errno.text(Int32(underlying.code))
        }
        if nsError.domain == NSPOSIXErrorDomain { return Errno.text(Int32(nsError.code)) }
        return nsError.localizedDescription
    }

    /// The container's log.
    public func logs(_ name: String) -> ContainerLogReader {
        ContainerLogReader(path: directory(name) + "/ctr.log")
    }

    /// Waits (up to 15 s: the monitor drains the pipes for up to 5 s after the init exits) for the monitor to
    /// exit, then kills it if it is still there; reaps it when it is our child (we are its subreaper).
    func waitForMonitor(_ name: String, _ pid: Int32?) {
        guard let pid else { return }
        let file = directory(name) + "/monitor.pid"
        var pause: UInt32 = 1000
        for _ in 0..<300 {
            if DetachedContainers.alivePid(file: file) == nil {
                _ = waitpid(pid, nil, WNOHANG)
                return
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        Glibc.kill(pid, SIGKILL)
        _ = waitpid(pid, nil, 0)
    }

    /// The pid in a `PID STARTTIME [BOOTID]` file when that process still runs (same boot, same start time, not a
    /// zombie).
    static func alivePid(file: String) -> Int32? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return alivePid(marker: text)
    }

    /// The pid of a `PID STARTTIME [BOOTID]` marker when that process still runs.
    static func alivePid(marker text: String) -> Int32? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let first = words.first, let pid = Int32(first), pid > 0,
              BootID.isCurrent(words.count > 2 ? String(words[2]) : nil),
              let process = ProcStat(pid: pid), !process.hasEnded
        else { return nil }
        if words.count > 1, "\(process.startTime)" != words[1] { return nil }
        return pid
    }
}
