/// One container's cgroup: created with limits, processes added, limits updated in place, observed, frozen,
/// killed and deleted. `UnifiedCgroupManager` (v2) and `LegacyCgroupManager` (v1, one directory per hierarchy)
/// implement it on the kernel; `RecordingCgroupManager` records calls for tests of the runtime.
public protocol CgroupManager: Sendable {
    var path: CgroupPath { get }

    /// Creates the cgroup and its parents (enabling controllers along the way on v2) and applies `limits`.
    /// Creating an existing cgroup re-applies the limits.
    @discardableResult
    func create(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport

    /// Creates the cgroup like `create(limits:)` but applies `settings` as given (the runtime's translation of
    /// OCI `linux.resources`): only the files listed are written.
    @discardableResult
    func create(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport

    /// Applies `settings` to the existing cgroup (`bosun runtime update`).
    @discardableResult
    func update(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport

    /// Moves a process (all its threads) into the cgroup.
    func addProcess(_ pid: Int32) throws(CgroupError)

    /// The files a process writes `0` into to join the cgroup itself: `tasks` of every hierarchy on v1 (they move
    /// the calling thread), `cgroup.procs` on v2.
    var processFiles: [String] { get }

    /// The directory to open (`O_PATH | O_DIRECTORY`) for `clone3(CLONE_INTO_CGROUP)`; nil on v1.
    var cloneIntoDirectory: String? { get }

    /// Writes every limit again: a changed limit takes effect without a restart, drift is corrected.
    @discardableResult
    func update(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport

    func stats() throws(CgroupError) -> CgroupStats

    /// The process IDs in the cgroup (`cgroup.procs`).
    func processes() throws(CgroupError) -> [Int32]

    func freeze() throws(CgroupError)
    func thaw() throws(CgroupError)

    /// Kills every process in the cgroup and returns once `cgroup.procs` is empty.
    func kill() throws(CgroupError)

    /// Removes the cgroup (it must be empty: call `kill()` first), then any parents up to `bosun` that no other
    /// container uses. A missing cgroup is not an error.
    func delete() throws(CgroupError)
}

/// What applying limits did.
public struct CgroupApplyReport: Sendable, Equatable {
    /// The writes made, in order.
    public var written: [CgroupWrite] = []
    /// Limits not applied because the kernel lacks the file, or by design, with the reason.
    public var skipped: [String] = []
    public init(written: [CgroupWrite] = [], skipped: [String] = []) {
        self.written = written
        self.skipped = skipped
    }
}

/// A snapshot of a cgroup's usage. Nil fields are not available in this layout or kernel.
public struct CgroupStats: Sendable, Equatable {
    /// Memory in use, in bytes (`memory.current` / `memory.usage_in_bytes`).
    public var memoryUsage: Int64?
    /// Highest memory use seen, in bytes (`memory.peak` / `memory.max_usage_in_bytes`).
    public var memoryPeak: Int64?
    /// The memory limit in force; nil when unlimited.
    public var memoryLimit: Int64?
    /// Processes killed by the OOM killer (`memory.events oom_kill` / `memory.oom_control oom_kill`).
    public var oomKills: Int = 0
    /// CPU time used, in microseconds (`cpu.stat usage_usec` / `cpuacct.usage` ÷ 1000).
    public var cpuUsageMicros: UInt64?
    /// Tasks in the cgroup (`pids.current`).
    public var pidsCurrent: Int?
    /// Times a fork failed on `pids.max` (`pids.events max`).
    public var pidsLimitHits: Int?
    /// The CPU limit in force, in thousandths of a CPU: the CFS quota over its period × 1000 (`cpu.max` /
    /// `cpu.cfs_quota_us` and `cpu.cfs_period_us`); nil when unlimited.
    public var cpuLimitMillis: Int64?
    /// The pids limit in force (`pids.max`); nil when unlimited.
    public var pidsLimit: Int64?

    public init() {}
}

/// How a container's main process ended, read together with the cgroup's OOM count.
public struct ContainerExit: Sendable, Equatable, CustomStringConvertible {
    /// The exit code a shell would show: the status, or 128 + the signal.
    public var code: Int32
    /// Killed by SIGKILL while the cgroup counted an OOM kill.
    public var oomKilled: Bool

    /// From a `waitpid` status and the OOM kills counted since the container started.
    public init(waitStatus status: Int32, oomKills: Int) {
        let signal = status & 0x7F
        if signal == 0 {
            code = (status >> 8) & 0xFF
            oomKilled = false
        } else {
            code = 128 + signal
            oomKilled = signal == 9 && oomKills > 0
        }
    }

    /// `OOM (137)`, `exit 0`, `signal 15 (143)`
    public var description: String {
        if oomKilled { return "OOM (\(code))" }
        return code > 128 ? "signal \(code - 128) (\(code))" : "exit \(code)"
    }
}

/// Reading helpers shared by the managers.
enum CgroupText {
    /// `key value` lines (`memory.events`, `cpu.stat`, `memory.oom_control`) → the value of `key`.
    static func field(_ text: String, _ key: String) -> Int64? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return Int64(parts[1]) }
        }
        return nil
    }

    /// A single number; `max` (and v1's huge "unlimited" values) → nil.
    static func number(_ text: String) -> Int64? {
        let trimmed = text.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init) ?? ""
        guard let value = Int64(trimmed), value >= 0, value < Int64.max / 2 else { return nil }
        return value
    }

    /// A CFS quota over its period, in thousandths of a CPU; nil when either is missing or unlimited.
    static func cpuMillis(quota: Int64?, period: Int64?) -> Int64? {
        guard let quota, let period, period > 0 else { return nil }
        return quota * 1000 / period
    }

    /// v2's `cpu.max` (`QUOTA PERIOD`, `max PERIOD`) in thousandths of a CPU; nil when unlimited.
    static func cpuMax(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2 else { return nil }
        return cpuMillis(quota: number(String(parts[0])), period: number(String(parts[1])))
    }

    /// `cgroup.procs` → pids.
    static func pids(_ text: String) -> [Int32] { text.split(separator: "\n").compactMap { Int32($0) } }
}
