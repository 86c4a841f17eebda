/// A container's cgroup on cgroup v1 (or hybrid): the same relative path in every mounted controller hierarchy.
/// cpuset directories get `cpuset.cpus`/`cpuset.mems` copied from their parent (empty ones refuse tasks).
public struct LegacyCgroupManager: CgroupManager {
    public let hierarchies: LegacyHierarchies
    public let path: CgroupPath
    let fileSystem: any CgroupFileSystem

    public init(
        hierarchies: LegacyHierarchies, path: CgroupPath, fileSystem: any CgroupFileSystem = HostCgroupFileSystem()
    ) {
        self.hierarchies = hierarchies
        self.path = path
        self.fileSystem = fileSystem
    }

    /// The cgroup's directory in every hierarchy.
    public var directories: [String] { hierarchies.hierarchies.map { $0 + "/" + path.description } }

    /// The cgroup's directory in the hierarchy of `controller`, when it is mounted: a v1 hierarchy, or on a hybrid
    /// host the cgroup2 beside them for the controllers only it has (hugetlb on the development VMs).
    public func directory(_ controller: String) -> String? {
        if let mount = hierarchies.mounts[controller] { return mount + "/" + path.description }
        if hierarchies.unifiedControllers.contains(controller) { return unifiedDirectory }
        return nil
    }

    /// The cgroup's directory in the hybrid host's cgroup2 hierarchy; only made when a setting needs it.
    var unifiedDirectory: String? { hierarchies.unified.map { $0 + "/" + path.description } }

    /// Every hierarchy's `tasks` (moving the calling thread alone skips the kernel's global attach lock; the
    /// single-threaded runtime helper writes them), and `cgroup.procs` of the hybrid host's cgroup2 directory when
    /// one was made.
    public var processFiles: [String] {
        var files = directories.map { $0 + "/tasks" }
        if let unifiedDirectory, fileSystem.exists(unifiedDirectory) { files.append(unifiedDirectory + "/cgroup.procs") }
        return files
    }

    /// The files to join a cgroup made with `settings` through, known before it is made: every hierarchy's
    /// `tasks`, and the hybrid host's cgroup2 `cgroup.procs` when the settings need that directory.
    public func processFiles(for settings: CgroupSettings) -> [String] {
        var files = directories.map { $0 + "/tasks" }
        if let unifiedDirectory, !unifiedOnlyControllers(settings).isEmpty { files.append(unifiedDirectory + "/cgroup.procs") }
        return files
    }

    /// The controllers `settings` write that only the hybrid host's cgroup2 has (hugetlb on the development VMs).
    func unifiedOnlyControllers(_ settings: CgroupSettings) -> Set<String> {
        Set(settings.writes.map(\.controller)).filter {
            hierarchies.mounts[$0] == nil && hierarchies.unifiedControllers.contains($0)
        }
    }

    @discardableResult
    public func create(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        try makeDirectories()
        let unifiedOnly = unifiedOnlyControllers(settings)
        if let root = hierarchies.unified, !unifiedOnly.isEmpty {
            var parent = root
            for name in path.components {
                for controller in unifiedOnly.sorted() {
                    try fileSystem.write(parent + "/cgroup.subtree_control", "+" + controller)
                }
                parent += "/" + name
                try fileSystem.makeDirectory(parent)
            }
        }
        return try update(settings: settings)
    }

    @discardableResult
    public func update(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        try apply(settings, cpuset: settings.cpuset, resetCPUs: false)
    }

    /// v1 has no `CLONE_INTO_CGROUP`: spawn, then `addProcess` before the container's process runs user code.
    public var cloneIntoDirectory: String? { nil }

    @discardableResult
    public func create(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        let settings = try CgroupSettings.legacy(limits)
        try makeDirectories()
        return try apply(settings, cpuset: limits.cpuset, resetCPUs: true)
    }

    func makeDirectories() throws(CgroupError) {
        try CgroupOperations.retryingVanishedParents { () throws(CgroupError) in try makeDirectoriesOnce() }
    }

    func makeDirectoriesOnce() throws(CgroupError) {
        let cpusetRoot = hierarchies.mounts["cpuset"]
        for root in hierarchies.hierarchies {
            var parent = root
            for name in path.components {
                let child = parent + "/" + name
                try fileSystem.makeDirectory(child)
                if root == cpusetRoot {
                    for file in ["cpuset.cpus", "cpuset.mems"] {
                        try inherit(file, from: parent, to: child, onlyIfEmpty: true)
                    }
                }
                parent = child
            }
        }
    }

    @discardableResult
    public func update(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        try apply(try CgroupSettings.legacy(limits), cpuset: limits.cpuset, resetCPUs: true)
    }

    func inherit(_ file: String, from parent: String, to child: String, onlyIfEmpty: Bool) throws(CgroupError) {
        guard fileSystem.exists(child + "/" + file) else { return }
        if onlyIfEmpty, !(try fileSystem.read(child + "/" + file)).trimmingNewline.isEmpty { return }
        let value = try fileSystem.read(parent + "/" + file).trimmingNewline
        try fileSystem.write(child + "/" + file, value.isEmpty ? "\n" : value)
    }

    /// `resetCPUs`: with no cpuset asked for, copy the parent's CPUs (bosun's limits write every file).
    func apply(_ settings: CgroupSettings, cpuset: String?, resetCPUs: Bool) throws(CgroupError) -> CgroupApplyReport {
        let cpusetDirectory = directory("cpuset")
        let cpusetParent = cpusetDirectory.map { String($0.prefix(upTo: $0.lastIndex(of: "/") ?? $0.endIndex)) }
        if let cpusetParent {
            try CgroupOperations.checkCPUs(cpuset, parentFile: cpusetParent + "/cpuset.cpus",
                                           fileSystem: fileSystem)
        }
        var report = try CgroupOperations.apply(try ordered(settings.writes), fileSystem: fileSystem) { controller in
            directory(controller)
        }
        // No cpuset asked for: the parent's CPUs (this resets a cpuset removed from the manifest).
        if resetCPUs, cpuset == nil, let cpusetDirectory, let cpusetParent {
            try inherit("cpuset.cpus", from: cpusetParent, to: cpusetDirectory, onlyIfEmpty: false)
        }
        report.skipped += settings.notApplied
        return report
    }

    /// memsw must never be below the memory limit, before or after each write: raise memsw first when it
    /// grows (or becomes unlimited), lower the limit first otherwise.
    func ordered(_ writes: [CgroupWrite]) throws(CgroupError) -> [CgroupWrite] {
        guard let limitIndex = writes.firstIndex(where: { $0.file == "memory.limit_in_bytes" }),
              let swapIndex = writes.firstIndex(where: { $0.file == "memory.memsw.limit_in_bytes" }),
              let memory = directory("memory"), fileSystem.exists(memory + "/memory.memsw.limit_in_bytes")
        else { return writes }
        let current = CgroupText.number(try fileSystem.read(memory + "/memory.memsw.limit_in_bytes"))
        let wanted = CgroupText.number(writes[swapIndex].value)
        let raise = wanted == nil || (current != nil && wanted! > current!)
        guard raise, swapIndex > limitIndex else { return writes }
        var result = writes
        let swap = result.remove(at: swapIndex)
        result.insert(swap, at: limitIndex)
        return result
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        for file in processFiles { try fileSystem.write(file, String(pid)) }
    }

    /// The hierarchy whose `cgroup.procs` is read: freezer, memory, or the first mounted.
    var procsFile: String? {
        (directory("freezer") ?? directory("memory") ?? directories.first).map { $0 + "/cgroup.procs" }
    }

    public func processes() throws(CgroupError) -> [Int32] {
        guard let procsFile else { return [] }
        return CgroupText.pids(try fileSystem.read(procsFile))
    }

    public func stats() throws(CgroupError) -> CgroupStats {
        guard let procsFile, fileSystem.exists(procsFile) else {
            throw CgroupError(.io, action: "read", file: directories.first, hint: "no such cgroup")
        }
        func read(_ controller: String, _ file: String) -> String? {
            directory(controller).flatMap { try? fileSystem.read($0 + "/" + file) }
        }
        var stats = CgroupStats()
        stats.memoryUsage = read("memory", "memory.usage_in_bytes").flatMap(CgroupText.number)
        stats.memoryPeak = read("memory", "memory.max_usage_in_bytes").flatMap(CgroupText.number)
        stats.memoryLimit = read("memory", "memory.limit_in_bytes").flatMap(CgroupText.number)
        stats.oomKills = Int(read("memory", "memory.oom_control").flatMap { CgroupText.field($0, "oom_kill") } ?? 0)
        stats.cpuUsageMicros = read("cpuacct", "cpuacct.usage").flatMap(CgroupText.number).map { UInt64($0) / 1000 }
        stats.pidsCurrent = read("pids", "pids.current").flatMap(CgroupText.number).map { Int($0) }
        stats.pidsLimitHits = read("pids", "pids.events").flatMap { CgroupText.field($0, "max") }.map { Int($0) }
        stats.cpuLimitMillis = CgroupText.cpuMillis(quota: read("cpu", "cpu.cfs_quota_us").flatMap(CgroupText.number),
                                                    period: read("cpu", "cpu.cfs_period_us").flatMap(CgroupText.number))
        stats.pidsLimit = read("pids", "pids.max").flatMap(CgroupText.number)
        return stats
    }

    public func freeze() throws(CgroupError) { try setState("FROZEN") }
    public func thaw() throws(CgroupError) { try setState("THAWED") }

    func setState(_ state: String) throws(CgroupError) {
        guard let freezer = directory("freezer") else {
            throw CgroupError(.controllerUnavailable, action: "write", file: "freezer.state", value: state,
                              hint: "the freezer controller is not mounted")
        }
        try fileSystem.write(freezer + "/freezer.state", state)
        let settled = CgroupOperations.wait(seconds: 5) {
            (try? fileSystem.read(freezer + "/freezer.state"))?.trimmingNewline == state
        }
        if !settled {
            throw CgroupError(.busy, action: "wait", file: freezer + "/freezer.state", value: state,
                              hint: "the cgroup did not settle within 5 s")
        }
    }

    /// SIGKILL every listed pid until `cgroup.procs` stays empty; with the freezer, freeze–kill–thaw so a
    /// fork cannot slip between reading the list and signalling.
    public func kill() throws(CgroupError) {
        guard let procsFile, fileSystem.exists(procsFile) else { return }
        let freezer = directory("freezer").map { $0 + "/freezer.state" }
        try CgroupOperations.killAll(
            file: procsFile, fileSystem: fileSystem,
            pause: { if let freezer { try? fileSystem.write(freezer, "FROZEN") } },
            resume: { if let freezer { try? fileSystem.write(freezer, "THAWED") } })
    }

    public func delete() throws(CgroupError) {
        if let remaining = try? processes(), !remaining.isEmpty {
            throw CgroupError(.busy, action: "rmdir", file: directories.first,
                              hint: "\(remaining.count) processes remain: call kill() first")
        }
        for root in hierarchies.hierarchies + (hierarchies.unified.map { [$0] } ?? []) {
            guard fileSystem.exists(root + "/" + path.description) else { continue }
            try CgroupOperations.remove(root + "/" + path.description, fileSystem: fileSystem)
            CgroupOperations.pruneParents(of: path, under: root, fileSystem: fileSystem)
        }
    }
}
