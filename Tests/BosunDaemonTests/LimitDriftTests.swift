@testable import BosunDaemon
import BosunCgroups
import BosunJournal
import BosunModel
import BosunPlanner
import Testing

@Suite("Limit drift")
struct LimitDriftTests {
    static func limits(memory: Int64? = nil, cpuMillis: Int? = nil, pids: Int? = nil) -> ResourceLimits {
        var limits = ResourceLimits()
        limits.memoryLimit = memory.map { ByteSize(bytes: $0) }
        limits.cpuMillis = cpuMillis
        limits.pidsLimit = pids
        return limits
    }

    static func stats(memory: Int64? = nil, cpuMillis: Int64? = nil, pids: Int64? = nil) -> CgroupStats {
        var stats = CgroupStats()
        stats.memoryLimit = memory
        stats.cpuLimitMillis = cpuMillis
        stats.pidsLimit = pids
        return stats
    }

    @Test("memory, CPUs and pids are each reported with their field; equal limits are no drift")
    func differences() {
        let want = Self.limits(memory: 64 << 20, cpuMillis: 500, pids: 100)
        #expect(LimitDrift.differences(want: want, have: Self.stats(memory: 64 << 20, cpuMillis: 500, pids: 100)).isEmpty)
        #expect(LimitDrift.differences(want: want, have: Self.stats(memory: 32 << 20, cpuMillis: 250, pids: 5)) == [
            .init(field: "resources.memory", expected: "67108864", actual: "33554432"),
            .init(field: "resources.cpus", expected: "0.5", actual: "0.25"),
            .init(field: "resources.pids_limit", expected: "100", actual: "5"),
        ])
        #expect(LimitDrift.differences(want: Self.limits(), have: Self.stats(cpuMillis: 1500, pids: 9)) == [
            .init(field: "resources.cpus", expected: "unlimited", actual: "1.5"),
            .init(field: "resources.pids_limit", expected: "unlimited", actual: "9"),
        ])
        #expect(LimitDrift.differences(want: Self.limits(cpuMillis: 0, pids: -1), have: Self.stats()).isEmpty, "0 CPUs and pids -1 are no limit")
    }

    @Test("CPUs are written as Compose writes them")
    func cpuText() {
        #expect([500, 2000, 1250, 1, 333, 10].map { LimitDrift.cpuText($0) } == ["0.5", "2", "1.25", "0.001", "0.333", "0.01"])
        #expect(LimitDrift.cpuText(nil) == "unlimited")
    }

    @Test("several limits of one container are corrected by one in-place operation naming each")
    func oneOperation() {
        let desired = DriftPlanTests.state()
        let items = [("resources.cpus", "0.25", "0.5"), ("resources.pids_limit", "5", "100")].map { field, actual, expected in
            DriftItem(finding: DriftFinding(resource: "hot/web", project: "hot", field: field, expected: expected, actual: actual), correction: .updateLimits)
        }
        let plan = DriftPlan.plan(base: Plan(operations: []), items: items, desired: desired, enforced: ["hot"], networkProjects: [:])
        #expect(plan.operations.map { "\($0.kind.rawValue) \($0.resource)" } == ["update-limits hot/web"])
        #expect(plan.operations.first?.cause == "drift: resources.cpus is 0.25 on the host, 0.5 desired; resources.pids_limit is 5 on the host, 100 desired")
        #expect(plan.operations.first?.changes.map(\.field) == ["resources.cpus", "resources.pids_limit"])
    }
}
