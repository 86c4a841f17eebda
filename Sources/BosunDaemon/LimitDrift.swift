import BosunCgroups
import BosunModel

/// The limits drift compares and corrects in place: memory, CPUs and pids, as the service wants them and as
/// the container's cgroup has them (v1 `memory.limit_in_bytes`, `cpu.cfs_quota_us`/`cpu.cfs_period_us`,
/// `pids.max`; v2 `memory.max`, `cpu.max`, `pids.max`). Pure.
enum LimitDrift {
    /// One limit that differs: the manifest field, and both values as text (`unlimited` when none).
    struct Difference: Sendable, Hashable {
        var field: String
        var expected: String
        var actual: String
    }

    static func differences(want: ResourceLimits, have: CgroupStats) -> [Difference] {
        var found: [Difference] = []
        let memory = want.memoryLimit?.bytes
        if have.memoryLimit != memory {
            found.append(Difference(field: "resources.memory", expected: text(memory), actual: text(have.memoryLimit)))
        }
        let cpus = want.cpuMillis.flatMap { $0 > 0 ? Int64($0) : nil }
        if have.cpuLimitMillis != cpus {
            found.append(Difference(field: "resources.cpus", expected: cpuText(cpus), actual: cpuText(have.cpuLimitMillis)))
        }
        let pids = want.pidsLimit.flatMap { $0 > 0 ? Int64($0) : nil }
        if have.pidsLimit != pids {
            found.append(Difference(field: "resources.pids_limit", expected: text(pids), actual: text(have.pidsLimit)))
        }
        return found
    }

    static func text(_ value: Int64?) -> String { value.map { String($0) } ?? "unlimited" }

    /// Thousandths of a CPU as Compose writes `cpus`: 500 → `0.5`, 2000 → `2`, 1250 → `1.25`.
    static func cpuText(_ millis: Int64?) -> String {
        guard let millis else { return "unlimited" }
        let whole = millis / 1000
        var fraction = String(millis % 1000)
        guard fraction != "0" else { return String(whole) }
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
