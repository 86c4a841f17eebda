/// One write to an interface file of a container's cgroup.
public struct CgroupWrite: Sendable, Hashable, CustomStringConvertible {
    /// What to do when the file does not exist.
    public enum Need: Sendable, Hashable {
        /// The manifest asked for this limit: a missing file is a `controllerUnavailable` error.
        case required
        /// Applied where the kernel supports it (swap accounting, io weight), reported as skipped otherwise.
        case bestEffort
        /// A reset to the kernel default for a limit the manifest does not set: skipped silently when missing.
        case reset
        /// Applied where the file exists and the kernel takes the value; reported as skipped otherwise (OCI
        /// resources the spec does not require, such as kernel memory on a kernel without it).
        case ifAccepted
    }

    public var controller: String
    public var file: String
    public var value: String
    public var need: Need

    public init(_ controller: String, _ file: String, _ value: String, _ need: Need) {
        self.controller = controller
        self.file = file
        self.value = value
        self.need = need
    }

    /// `memory.max=536870912`
    public var description: String { "\(file)=\(value)" }
}

/// The interface-file writes that apply `CgroupLimits` on v2 or v1, in order, validated first so that no value
/// the kernel would reject is ever written. Each mapping is documented in docs/cgroups.md.
public struct CgroupSettings: Sendable, Hashable {
    public var writes: [CgroupWrite]
    /// Limits that are deliberately not applied, with the reason.
    public var notApplied: [String]
    /// cgroup v2's device rules, in v1 order, loaded as an eBPF program (`DeviceFilterProgram`); nil for none.
    /// (v1 takes them as `devices.allow`/`devices.deny` writes.)
    public var deviceFilter: [DeviceRule]?

    /// Writes built elsewhere (the runtime's translation of OCI `linux.resources`), applied in this order.
    public init(writes: [CgroupWrite], notApplied: [String] = [], deviceFilter: [DeviceRule]? = nil) {
        self.writes = writes
        self.notApplied = notApplied
        self.deviceFilter = deviceFilter
    }

    /// The CPU list the settings ask for (`cpuset.cpus`), if any.
    var cpuset: String? { writes.last { $0.file == "cpuset.cpus" }?.value }

    /// cgroup v2 files.
    public static func unified(_ limits: CgroupLimits) throws(CgroupError) -> CgroupSettings {
        try validate(limits, memoryFile: "memory.max", lowFile: "memory.low", swapFile: "memory.swap.max",
                     cpuFile: "cpu.max", sharesFile: "cpu.weight", ioFile: "io.weight")
        var writes: [CgroupWrite] = []
        writes.append(.init("memory", "memory.low", limits.memoryReservation.map(String.init) ?? "0",
                            need(limits.memoryReservation)))
        writes.append(.init("memory", "memory.max", limits.memory.map(String.init) ?? "max", need(limits.memory)))
        // memory.swap.max is the swap alone: Docker's memory+swap minus memory.
        let swap = limits.effectiveMemorySwap.map { String($0 - (limits.memory ?? 0)) } ?? "max"
        writes.append(.init("memory", "memory.swap.max", swap, limits.memory == nil ? .reset : .bestEffort))
        let quota = limits.cpuMillis.map { String($0 * CgroupLimits.cpuPeriod / 1000) } ?? "max"
        writes.append(.init("cpu", "cpu.max", "\(quota) \(CgroupLimits.cpuPeriod)", need(limits.cpuMillis)))
        writes.append(.init("cpu", "cpu.weight", String(limits.cpuShares.map(CgroupLimits.cpuWeight) ?? 100),
                            need(limits.cpuShares)))
        if let cpuset = limits.cpuset { writes.append(.init("cpuset", "cpuset.cpus", cpuset, .required)) }
        writes.append(.init("pids", "pids.max", limits.pids.flatMap { $0 > 0 ? String($0) : nil } ?? "max",
                            need(limits.pids)))
        let io = limits.ioWeight.map { CgroupLimits.ioWeight(blkioWeight: $0) } ?? 100
        writes.append(.init("io", "io.weight", "default \(io)", limits.ioWeight == nil ? .reset : .bestEffort))
        return CgroupSettings(writes: writes, notApplied: notApplied(limits))
    }

    /// cgroup v1 files. `cpuset.cpus`/`cpuset.mems` for an unset cpuset are copied from the parent by the
    /// manager; memory and memsw are ordered by the manager so that memsw never drops below the limit.
    public static func legacy(_ limits: CgroupLimits) throws(CgroupError) -> CgroupSettings {
        try validate(limits, memoryFile: "memory.limit_in_bytes", lowFile: "memory.soft_limit_in_bytes",
                     swapFile: "memory.memsw.limit_in_bytes", cpuFile: "cpu.cfs_quota_us", sharesFile: "cpu.shares",
                     ioFile: "blkio.weight")
        var writes: [CgroupWrite] = []
        writes.append(.init("memory", "memory.soft_limit_in_bytes", limits.memoryReservation.map(String.init) ?? "-1",
                            need(limits.memoryReservation)))
        writes.append(.init("memory", "memory.limit_in_bytes", limits.memory.map(String.init) ?? "-1",
                            need(limits.memory)))
        writes.append(.init("memory", "memory.memsw.limit_in_bytes", limits.effectiveMemorySwap.map(String.init) ?? "-1",
                            limits.memory == nil ? .reset : .bestEffort))
        writes.append(.init("cpu", "cpu.cfs_period_us", String(CgroupLimits.cpuPeriod), need(limits.cpuMillis)))
        writes.append(.init("cpu", "cpu.cfs_quota_us",
                            limits.cpuMillis.map { String($0 * CgroupLimits.cpuPeriod / 1000) } ?? "-1",
                            need(limits.cpuMillis)))
        writes.append(.init("cpu", "cpu.shares", String(limits.cpuShares ?? 1024), need(limits.cpuShares)))
        if let cpuset = limits.cpuset { writes.append(.init("cpuset", "cpuset.cpus", cpuset, .required)) }
        writes.append(.init("pids", "pids.max", limits.pids.flatMap { $0 > 0 ? String($0) : nil } ?? "max",
                            need(limits.pids)))
        writes.append(.init("blkio", "blkio.weight", String(limits.ioWeight ?? 500),
                            limits.ioWeight == nil ? .reset : .bestEffort))
        return CgroupSettings(writes: writes, notApplied: notApplied(limits))
    }

    static func need<T>(_ value: T?) -> CgroupWrite.Need { value == nil ? .reset : .required }

    static func notApplied(_ limits: CgroupLimits) -> [String] {
        guard let reservation = limits.cpuReservationMillis else { return [] }
        return ["cpu reservation \(reservation)m: a scheduling hint in Docker, not a cgroup limit"]
    }

    static func validate(
        _ limits: CgroupLimits, memoryFile: String, lowFile: String, swapFile: String, cpuFile: String,
        sharesFile: String, ioFile: String
    ) throws(CgroupError) {
        func invalid(_ file: String, _ value: some BinaryInteger, _ hint: String) -> CgroupError {
            CgroupError(.invalidLimit, action: "validate", file: file, value: String(value), hint: hint)
        }
        if let memory = limits.memory, memory < CgroupLimits.minimumMemory {
            throw invalid(memoryFile, memory, "the memory limit must be at least 6 MiB")
        }
        if let low = limits.memoryReservation {
            if low < 0 { throw invalid(lowFile, low, "a memory reservation cannot be negative") }
            if let memory = limits.memory, low > memory {
                throw invalid(lowFile, low, "the memory reservation must not exceed the memory limit \(memory)")
            }
        }
        if let swap = limits.memorySwap, swap != -1 {
            guard let memory = limits.memory else {
                throw invalid(swapFile, swap, "memswap_limit needs a memory limit")
            }
            if swap < memory {
                throw invalid(swapFile, swap, "memswap_limit is memory plus swap: at least the memory limit \(memory)")
            }
        }
        if let millis = limits.cpuMillis {
            let quota = millis * CgroupLimits.cpuPeriod / 1000
            if quota < 1000 { throw invalid(cpuFile, quota, "the smallest CPU quota is 0.01 CPU (1000 µs per period)") }
        }
        if let shares = limits.cpuShares, !(2...262_144).contains(shares) {
            throw invalid(sharesFile, shares, "cpu_shares must be between 2 and 262144")
        }
        if let weight = limits.ioWeight, !(10...1000).contains(weight) {
            throw invalid(ioFile, weight, "the blkio weight must be between 10 and 1000")
        }
        if let cpuset = limits.cpuset, !isCPUList(cpuset) {
            throw CgroupError(.invalidLimit, action: "validate", file: "cpuset.cpus", value: cpuset,
                              hint: "expected a CPU list such as `0-2,4`")
        }
    }

    /// `0`, `0-3`, `0-1,4,6-7`: ascending ranges of decimal CPU numbers.
    static func isCPUList(_ text: String) -> Bool {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        return !text.isEmpty && items.allSatisfy { item in
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            let numbers = bounds.compactMap { $0.allSatisfy(\.isASCII) ? Int($0) : nil }
            guard numbers.count == bounds.count, (1...2).contains(numbers.count) else { return false }
            return numbers.count == 1 || numbers[0] <= numbers[1]
        }
    }
}
