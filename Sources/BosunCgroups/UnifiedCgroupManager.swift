import Glibc

/// A container's cgroup on cgroup v2: one directory `<base>/<path>`, controllers enabled in
/// `cgroup.subtree_control` of every ancestor from the base down.
public struct UnifiedCgroupManager: CgroupManager {
    public let hierarchy: UnifiedHierarchy
    public let path: CgroupPath
    let fileSystem: any CgroupFileSystem

    /// `O_PATH` (Glibc's Swift module is built without `_GNU_SOURCE`).
    static let openPath: Int32 = 0o10_000_000

    /// Controllers bosun enables for containers, when the base offers them.
    public static let wantedControllers = ["cpu", "cpuset", "io", "memory", "pids"]

    public init(hierarchy: UnifiedHierarchy, path: CgroupPath, fileSystem: any CgroupFileSystem = HostCgroupFileSystem()) {
        self.hierarchy = hierarchy
        self.path = path
        self.fileSystem = fileSystem
    }

    /// `<mount>/<base>/<path>`
    public var directory: String { hierarchy.baseDirectory + "/" + path.description }

    public var cloneIntoDirectory: String? { directory }

    /// Opens the cgroup directory for `clone3`'s `cgroup` field with `CLONE_INTO_CGROUP` (Linux 5.7+): the child
    /// starts inside the cgroup, so no process ever runs unlimited. The caller closes the descriptor.
    public func openForCloneInto() throws(CgroupError) -> Int32 {
        let fd = retrying { open(directory, Self.openPath | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("open", directory, errno: errno) }
        return fd
    }

    @discardableResult
    public func create(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        let settings = try CgroupSettings.unified(limits)
        try makeDirectories()
        return try apply(settings, limits: limits)
    }

    @discardableResult
    public func create(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        try makeDirectories(extra: Set(settings.writes.map(\.controller)))
        var files = settings
        files.deviceFilter = nil
        let report = try update(settings: files)
        if let rules = settings.deviceFilter {
            try fileSystem.attachDeviceFilter(directory, DeviceFilterProgram.instructions(for: rules))
        }
        return report
    }

    @discardableResult
    public func update(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        let parent = String(directory.prefix(upTo: directory.lastIndex(of: "/") ?? directory.endIndex))
        try CgroupOperations.checkCPUs(settings.cpuset, parentFile: parent + "/cpuset.cpus.effective",
                                       fileSystem: fileSystem)
        var report = try CgroupOperations.apply(settings.writes, fileSystem: fileSystem) { _ in directory }
        if settings.deviceFilter != nil {
            // Filters attached side by side must all allow an access: a second one could only narrow the first.
            report.skipped.append("device rules: on cgroup v2 they are set when the cgroup is created")
        }
        report.skipped += settings.notApplied
        return report
    }

    public var processFiles: [String] { [directory + "/cgroup.procs"] }

    /// `extra`: controllers the settings write to beyond the wanted ones (hugetlb, say), enabled when offered.
    func makeDirectories(extra: Set<String> = []) throws(CgroupError) {
        try CgroupOperations.retryingVanishedParents { () throws(CgroupError) in try makeDirectoriesOnce(extra: extra) }
    }

    func makeDirectoriesOnce(extra: Set<String>) throws(CgroupError) {
        let controllers = Self.wantedControllers + extra.subtracting(Self.wantedControllers).sorted()
        var parent = hierarchy.baseDirectory
        for name in path.components {
            try enableControllers(in: parent, controllers)
            let child = parent + "/" + name
            try fileSystem.makeDirectory(child)
            parent = child
        }
    }

    @discardableResult
    public func update(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        try apply(try CgroupSettings.unified(limits), limits: limits)
    }

    /// Adds to `parent`'s `cgroup.subtree_control` each wanted controller it offers and has not enabled yet,
    /// one write each so that a refusal names the controller.
    func enableControllers(in parent: String, _ wanted: [String] = wantedControllers) throws(CgroupError) {
        let available = words(try fileSystem.read(parent + "/cgroup.controllers"))
        let enabled = words(try fileSystem.read(parent + "/cgroup.subtree_control"))
        for controller in wanted where available.contains(controller) && !enabled.contains(controller) {
            do {
                try fileSystem.write(parent + "/cgroup.subtree_control", "+" + controller)
            } catch where error.code == .busy {
                var error = error
                error.hint = "the cgroup has processes of its own (no internal processes on v2): under Delegate=yes "
                    + "move the agent into a leaf such as `\(parent)/agent` first"
                throw error
            }
        }
    }

    func apply(_ settings: CgroupSettings, limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        let parent = String(directory.prefix(upTo: directory.lastIndex(of: "/") ?? directory.endIndex))
        try CgroupOperations.checkCPUs(limits.cpuset, parentFile: parent + "/cpuset.cpus.effective",
                                       fileSystem: fileSystem)
        var report = try CgroupOperations.apply(settings.writes, fileSystem: fileSystem) { _ in directory }
        if settings.deviceFilter != nil {
            // Filters attached side by side must all allow an access: a second one could only narrow the first.
            report.skipped.append("device rules: on cgroup v2 they are set when the cgroup is created")
        }
        report.skipped += settings.notApplied
        return report
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        try fileSystem.write(directory + "/cgroup.procs", String(pid))
    }

    public func processes() throws(CgroupError) -> [Int32] {
        CgroupText.pids(try fileSystem.read(directory + "/cgroup.procs"))
    }

    public func stats() throws(CgroupError) -> CgroupStats {
        guard fileSystem.exists(directory) else {
            throw CgroupError(.io, action: "read", file: directory, hint: "no such cgroup")
        }
        func read(_ file: String) -> String? { try? fileSystem.read(directory + "/" + file) }
        var stats = CgroupStats()
        stats.memoryUsage = read("memory.current").flatMap(CgroupText.number)
        stats.memoryPeak = read("memory.peak").flatMap(CgroupText.number)
        stats.memoryLimit = read("memory.max").flatMap(CgroupText.number)
        stats.oomKills = Int(read("memory.events").flatMap { CgroupText.field($0, "oom_kill") } ?? 0)
        stats.cpuUsageMicros = read("cpu.stat").flatMap { CgroupText.field($0, "usage_usec") }.map { UInt64($0) }
        stats.pidsCurrent = read("pids.current").flatMap(CgroupText.number).map { Int($0) }
        stats.pidsLimitHits = read("pids.events").flatMap { CgroupText.field($0, "max") }.map { Int($0) }
        stats.cpuLimitMillis = read("cpu.max").flatMap(CgroupText.cpuMax)
        stats.pidsLimit = read("pids.max").flatMap(CgroupText.number)
        return stats
    }

    public func freeze() throws(CgroupError) { try setFrozen(true) }
    public func thaw() throws(CgroupError) { try setFrozen(false) }

    func setFrozen(_ frozen: Bool) throws(CgroupError) {
        try fileSystem.write(directory + "/cgroup.freeze", frozen ? "1" : "0")
        let settled = CgroupOperations.wait(seconds: 5) {
            let events = (try? fileSystem.read(directory + "/cgroup.events")) ?? ""
            return CgroupText.field(events, "frozen") == (frozen ? 1 : 0)
        }
        if !settled {
            throw CgroupError(.busy, action: "wait", file: directory + "/cgroup.events",
                              hint: "the cgroup did not report frozen \(frozen ? 1 : 0) within 5 s")
        }
    }

    /// `cgroup.kill` (Linux 5.14+) kills atomically, forks included; older kernels get the signal loop.
    public func kill() throws(CgroupError) {
        let procs = directory + "/cgroup.procs"
        guard fileSystem.exists(directory) else { return }
        if fileSystem.exists(directory + "/cgroup.kill") {
            try fileSystem.write(directory + "/cgroup.kill", "1")
            let empty = CgroupOperations.wait(seconds: 10) { (try? processes())?.isEmpty ?? true }
            if !empty { throw CgroupError(.busy, action: "kill", file: procs, hint: "processes remain after 10 s") }
        } else {
            try CgroupOperations.killAll(file: procs, fileSystem: fileSystem)
        }
    }

    public func delete() throws(CgroupError) {
        guard fileSystem.exists(directory) else { return }
        if let remaining = try? processes(), !remaining.isEmpty {
            throw CgroupError(.busy, action: "rmdir", file: directory,
                              hint: "\(remaining.count) processes remain: call kill() first")
        }
        try CgroupOperations.remove(directory, fileSystem: fileSystem)
        CgroupOperations.pruneParents(of: path, under: hierarchy.baseDirectory, fileSystem: fileSystem)
    }

    func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}
