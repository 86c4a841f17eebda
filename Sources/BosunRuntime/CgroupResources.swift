public import BosunCgroups
public import BosunOCI

/// OCI `linux.resources` → the cgroup interface-file writes runc's `fs` (v1) and `fs2` (v2) drivers make, in
/// their order. Pure: the managers in `BosunCgroups` perform the writes. How strict each write is follows the
/// runtime-spec: device rules (which it says MUST be applied, in order) and `unified` keys are required;
/// a limit whose controller or file this host lacks is skipped and reported; values that depend on kernel
/// features (kernel memory, realtime, burst, idle, leaf weights) are also skipped when the kernel refuses them.
public enum CgroupResources {
    typealias Resources = RuntimeSpec.LinuxResources

    /// cgroup v1 files. `hugetlbOnUnified`: the hybrid host's cgroup2 holds hugetlb (files `hugetlb.<size>.max`).
    public static func legacy(
        _ resources: RuntimeSpec.LinuxResources, devices: [RuntimeSpec.Device] = [], hugetlbOnUnified: Bool = false
    ) throws(RuntimeError) -> CgroupSettings {
        try validate(resources)
        var writes: [CgroupWrite] = []
        var notApplied: [String] = []
        if let cpu = resources.cpu {
            if let cpus = cpu.cpus, !cpus.isEmpty { writes.append(.init("cpuset", "cpuset.cpus", cpus, .bestEffort)) }
            if let mems = cpu.mems, !mems.isEmpty { writes.append(.init("cpuset", "cpuset.mems", mems, .bestEffort)) }
        }
        writes += deviceRules(resources.devices, devices: devices)
        if let memory = resources.memory {
            if let limit = memory.limit, limit != 0 {
                writes.append(.init("memory", "memory.limit_in_bytes", String(limit), .bestEffort))
            }
            if let swap = memory.swap, swap != 0 {
                writes.append(.init("memory", "memory.memsw.limit_in_bytes", String(swap), .bestEffort))
            }
            if let reservation = memory.reservation, reservation != 0 {
                writes.append(.init("memory", "memory.soft_limit_in_bytes", String(reservation), .bestEffort))
            }
            if let kernel = memory.kernel, kernel != 0 {
                writes.append(.init("memory", "memory.kmem.limit_in_bytes", String(kernel), .ifAccepted))
            }
            if let tcp = memory.kernelTCP, tcp != 0 {
                writes.append(.init("memory", "memory.kmem.tcp.limit_in_bytes", String(tcp), .ifAccepted))
            }
            if let swappiness = memory.swappiness {
                writes.append(.init("memory", "memory.swappiness", String(swappiness), .bestEffort))
            }
            if memory.disableOOMKiller == true { writes.append(.init("memory", "memory.oom_control", "1", .bestEffort)) }
            if let hierarchy = memory.useHierarchy {
                writes.append(.init("memory", "memory.use_hierarchy", hierarchy ? "1" : "0", .ifAccepted))
            }
        }
        if let cpu = resources.cpu {
            if let period = cpu.realtimePeriod, period != 0 {
                writes.append(.init("cpu", "cpu.rt_period_us", String(period), .ifAccepted))
            }
            if let runtime = cpu.realtimeRuntime, runtime != 0 {
                writes.append(.init("cpu", "cpu.rt_runtime_us", String(runtime), .ifAccepted))
            }
            if let shares = cpu.shares, shares != 0 { writes.append(.init("cpu", "cpu.shares", String(shares), .bestEffort)) }
            if let period = cpu.period, period != 0 {
                writes.append(.init("cpu", "cpu.cfs_period_us", String(period), .bestEffort))
            }
            if let quota = cpu.quota, quota != 0 { writes.append(.init("cpu", "cpu.cfs_quota_us", String(quota), .bestEffort)) }
            if let burst = cpu.burst { writes.append(.init("cpu", "cpu.cfs_burst_us", String(burst), .ifAccepted)) }
            if let idle = cpu.idle { writes.append(.init("cpu", "cpu.idle", String(idle), .ifAccepted)) }
        }
        if let limit = resources.pids?.limit {
            writes.append(.init("pids", "pids.max", limit > 0 ? String(limit) : "max", .bestEffort))
        }
        if let io = resources.blockIO {
            if let weight = io.weight, weight != 0 { writes.append(.init("blkio", "blkio.weight", String(weight), .bestEffort)) }
            if let weight = io.leafWeight, weight != 0 {
                writes.append(.init("blkio", "blkio.leaf_weight", String(weight), .ifAccepted))
            }
            for device in io.weightDevice ?? [] {
                if let weight = device.weight {
                    writes.append(.init("blkio", "blkio.weight_device", "\(device.major):\(device.minor) \(weight)", .bestEffort))
                }
                if let weight = device.leafWeight {
                    writes.append(.init("blkio", "blkio.leaf_weight_device", "\(device.major):\(device.minor) \(weight)",
                                        .ifAccepted))
                }
            }
            for (file, list) in [("read_bps", io.throttleReadBpsDevice), ("write_bps", io.throttleWriteBpsDevice),
                                 ("read_iops", io.throttleReadIOPSDevice), ("write_iops", io.throttleWriteIOPSDevice)] {
                for device in list ?? [] {
                    writes.append(.init("blkio", "blkio.throttle.\(file)_device", "\(device.major):\(device.minor) \(device.rate)",
                                        .bestEffort))
                }
            }
        }
        for limit in resources.hugepageLimits ?? [] {
            let file = hugetlbOnUnified ? "hugetlb.\(limit.pageSize).max" : "hugetlb.\(limit.pageSize).limit_in_bytes"
            writes.append(.init("hugetlb", file, String(limit.limit), .required))
        }
        if let network = resources.network {
            if let classID = network.classID { writes.append(.init("net_cls", "net_cls.classid", String(classID), .bestEffort)) }
            for priority in network.priorities ?? [] {
                writes.append(.init("net_prio", "net_prio.ifpriomap", "\(priority.name) \(priority.priority)", .bestEffort))
            }
        }
        writes += try unifiedKeys(resources.unified)
        if resources.memory?.checkBeforeUpdate == true {
            notApplied.append("memory.checkBeforeUpdate: applies to `update` on cgroup v2 only")
        }
        return CgroupSettings(writes: writes, notApplied: notApplied)
    }

    /// cgroup v2 files (runc's `fs2`), and the device rules for the cgroup's eBPF device filter.
    public static func unified(_ resources: RuntimeSpec.LinuxResources, devices: [RuntimeSpec.Device] = []) throws(RuntimeError)
        -> CgroupSettings
    {
        try validate(resources)
        var writes: [CgroupWrite] = []
        var notApplied: [String] = []
        if let io = resources.blockIO {
            if let weight = io.weight, weight != 0 {
                writes.append(.init("io", "io.weight", "default \(CgroupLimits.ioWeight(blkioWeight: Int(weight)))",
                                    .bestEffort))
            }
            for (key, list) in [("rbps", io.throttleReadBpsDevice), ("wbps", io.throttleWriteBpsDevice),
                                ("riops", io.throttleReadIOPSDevice), ("wiops", io.throttleWriteIOPSDevice)] {
                for device in list ?? [] {
                    writes.append(.init("io", "io.max", "\(device.major):\(device.minor) \(key)=\(device.rate)", .bestEffort))
                }
            }
            if io.leafWeight != nil || !(io.weightDevice ?? []).isEmpty {
                notApplied.append("blockIO leafWeight/weightDevice: no cgroup v2 equivalent")
            }
        }
        if let memory = resources.memory {
            let limit = memory.limit ?? 0
            if let swap = try swapV2(swap: memory.swap ?? 0, memory: limit) {
                writes.append(.init("memory", "memory.swap.max", swap, .bestEffort))
            }
            if limit != 0 { writes.append(.init("memory", "memory.max", limit < 0 ? "max" : String(limit), .bestEffort)) }
            if let low = memory.reservation, low != 0 {
                writes.append(.init("memory", "memory.low", low < 0 ? "max" : String(low), .bestEffort))
            }
            if memory.kernel != nil || memory.kernelTCP != nil || memory.swappiness != nil || memory.disableOOMKiller != nil {
                notApplied.append("memory kernel/kernelTCP/swappiness/disableOOMKiller: no cgroup v2 equivalent")
            }
        }
        if let limit = resources.pids?.limit {
            writes.append(.init("pids", "pids.max", limit > 0 ? String(limit) : "max", .bestEffort))
        }
        if let cpu = resources.cpu {
            if let shares = cpu.shares, shares != 0 {
                writes.append(.init("cpu", "cpu.weight", String(CgroupLimits.cpuWeight(shares: Int(clamping: shares))),
                                    .bestEffort))
            }
            if cpu.quota != nil || cpu.period != nil {
                let quota = cpu.quota.flatMap { $0 > 0 ? String($0) : nil } ?? "max"
                let period = cpu.period.flatMap { $0 > 0 ? $0 : nil } ?? UInt64(CgroupLimits.cpuPeriod)
                writes.append(.init("cpu", "cpu.max", "\(quota) \(period)", .bestEffort))
            }
            if let burst = cpu.burst { writes.append(.init("cpu", "cpu.max.burst", String(burst), .ifAccepted)) }
            if let idle = cpu.idle { writes.append(.init("cpu", "cpu.idle", String(idle), .ifAccepted)) }
            if let cpus = cpu.cpus, !cpus.isEmpty { writes.append(.init("cpuset", "cpuset.cpus", cpus, .bestEffort)) }
            if let mems = cpu.mems, !mems.isEmpty { writes.append(.init("cpuset", "cpuset.mems", mems, .bestEffort)) }
            if cpu.realtimePeriod != nil || cpu.realtimeRuntime != nil {
                notApplied.append("cpu realtimePeriod/realtimeRuntime: no cgroup v2 equivalent")
            }
        }
        for limit in resources.hugepageLimits ?? [] {
            writes.append(.init("hugetlb", "hugetlb.\(limit.pageSize).max", String(limit.limit), .required))
        }
        if resources.network != nil { notApplied.append("linux.resources.network: no cgroup v2 equivalent") }
        writes += try unifiedKeys(resources.unified)
        return CgroupSettings(writes: writes, notApplied: notApplied, deviceFilter: deviceRuleList(resources.devices, devices: devices))
    }

    /// runc's `ConvertMemorySwapToCgroupV2Value`: v2's swap is the swap alone; nil leaves it untouched.
    static func swapV2(swap: Int64, memory: Int64) throws(RuntimeError) -> String? {
        if memory == -1 && swap == 0 { return "max" }
        if swap == -1 { return "max" }
        if swap == 0 { return nil }
        guard memory > 0 else {
            throw RuntimeError("apply `linux.resources.memory.swap` = \(swap)", detail: "a swap limit needs a memory limit")
        }
        guard swap >= memory else {
            throw RuntimeError("apply `linux.resources.memory.swap` = \(swap)",
                               detail: "swap is memory plus swap: it must be at least the memory limit \(memory)")
        }
        return String(swap - memory)
    }

    /// The devices every container may use, as runc allows them (`specconv.AllowedDevices`): mknod of any
    /// node, the standard character devices (null, random, full, tty, zero, urandom), ptys, ptmx and tun.
    static let defaultDeviceRules: [DeviceRule] = [
        DeviceRule(allow: true, kind: .character, access: .mknod), DeviceRule(allow: true, kind: .block, access: .mknod),
    ] + [(1, 3), (1, 8), (1, 7), (5, 0), (1, 5), (1, 9), (136, nil), (5, 2), (10, 200)].map { (major: Int64, minor: Int64?) in
        DeviceRule(allow: true, kind: .character, major: major, minor: minor)
    }

    /// The device rules in the spec's order, then the default devices and every `linux.devices` node the spec's
    /// rules do not name (`rwm`, as runc allows them); nil when the spec lists no rules (a new cgroup then allows
    /// what its parent allows). Validated by `validate`.
    static func deviceRuleList(_ rules: [Resources.DeviceRule]?, devices: [RuntimeSpec.Device]) -> [DeviceRule]? {
        guard let rules, !rules.isEmpty else { return nil }
        func number(_ value: Int64?) -> Int64? { value.flatMap { $0 < 0 ? nil : $0 } }
        var list = rules.map { rule in
            let kind: DeviceRule.Kind = switch rule.type ?? "a" {
            case "b": .block
            case "c": .character
            default: .all
            }
            return DeviceRule(allow: rule.allow, kind: kind, major: number(rule.major), minor: number(rule.minor),
                              access: DeviceRule.Access(letters: rule.access ?? "") ?? .all)
        }
        let named = list
        list += defaultDeviceRules
        for device in devices where device.type == "c" || device.type == "b" || device.type == "u" {
            let rule = DeviceRule(allow: true, kind: device.type == "b" ? .block : .character,
                                  major: number(device.major), minor: number(device.minor))
            // A node the spec's rules name gets what they say (`--device /dev/x:r` is read-only), not `rwm`.
            if named.contains(where: { $0.kind == rule.kind && $0.major == rule.major && $0.minor == rule.minor }) { continue }
            list.append(rule)
        }
        return list
    }

    /// v1's `devices.allow`/`devices.deny` writes for `deviceRuleList`.
    static func deviceRules(_ rules: [Resources.DeviceRule]?, devices: [RuntimeSpec.Device]) -> [CgroupWrite] {
        (deviceRuleList(rules, devices: devices) ?? []).map { CgroupWrite("devices", $0.legacyFile, $0.legacyValue, .required) }
    }

    /// `unified` keys, written verbatim into the file of that name; the controller is the part before the dot.
    static func unifiedKeys(_ keys: [String: String]?) throws(RuntimeError) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        for (key, value) in (keys ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let dot = key.firstIndex(of: "."), dot != key.startIndex, !key.contains("/"), key != "..",
                  !key.hasPrefix("cgroup.") || key == "cgroup.freeze" || key == "cgroup.type"
            else {
                throw RuntimeError("apply `linux.resources.unified` key `\(key)`", detail: "not a cgroup interface file")
            }
            writes.append(.init(String(key[..<dot]), key, value, .required))
        }
        return writes
    }

    static func validate(_ resources: RuntimeSpec.LinuxResources) throws(RuntimeError) {
        if let swappiness = resources.memory?.swappiness, swappiness > 100 {
            throw RuntimeError("apply `linux.resources.memory.swappiness` = \(swappiness)", detail: "must be 0…100")
        }
        for device in resources.blockIO?.weightDevice ?? [] where device.weight == nil && device.leafWeight == nil {
            throw RuntimeError("apply `linux.resources.blockIO.weightDevice` \(device.major):\(device.minor)",
                               detail: "an entry needs `weight` or `leafWeight`")
        }
        for rule in resources.devices ?? [] {
            if let type = rule.type, !["a", "b", "c", ""].contains(type) {
                throw RuntimeError("apply `linux.resources.devices` rule type `\(type)`", detail: "must be a, b or c")
            }
            if let access = rule.access, access.isEmpty || !access.allSatisfy({ "rwm".contains($0) }) {
                throw RuntimeError("apply `linux.resources.devices` access `\(access)`", detail: "must be letters of rwm")
            }
        }
    }

    /// `linux.cgroupsPath`: absolute → that path under each hierarchy's mount point; relative → under bosun's
    /// parent `bosun/`; absent → `bosun/<container id>` (runc's default is `/<id>` for the fs driver).
    public static func path(_ cgroupsPath: String?, id: String) throws(RuntimeError) -> CgroupPath {
        var components: [String]
        if let cgroupsPath, !cgroupsPath.isEmpty {
            components = cgroupsPath.split(separator: "/").map(String.init)
            if !cgroupsPath.hasPrefix("/") { components.insert(CgroupPath.subtree, at: 0) }
        } else {
            components = [CgroupPath.subtree, id]
        }
        do {
            return try CgroupPath(components: components)
        } catch {
            throw RuntimeError("use `linux.cgroupsPath` `\(cgroupsPath ?? "")`", detail: "\(error)")
        }
    }
}
