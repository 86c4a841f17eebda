@testable import BosunCgroups
import Foundation
import Testing

/// cgroup v1 for real, as root on a hybrid host: limits are enforced by the kernel, not just written.
@Suite(.serialized) struct LegacyHostTests {
    static let mib: Int64 = 1024 * 1024

    @Test func memoryLimitEndsInAnOOMKill() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        let scratch = ScratchCgroups(hierarchies)
        defer { scratch.cleanUp() }
        let cgroup = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("oom"))
        try cgroup.create(limits: CgroupLimits(memory: 16 * Self.mib, memorySwap: 16 * Self.mib))
        let child = try HeldChild("exec busybox awk 'BEGIN { s = \"x\"; while (1) s = s s }'")
        try cgroup.addProcess(child.pid)
        #expect(try cgroup.processes() == [child.pid])
        child.release()
        let status = try #require(child.wait(seconds: 20))
        let stats = try cgroup.stats()
        #expect(stats.oomKills == 1)
        #expect(stats.memoryLimit == 16 * Self.mib)
        #expect((stats.memoryPeak ?? 0) > 8 * Self.mib)
        #expect(ContainerExit(waitStatus: status, oomKills: stats.oomKills).description == "OOM (137)")
        try cgroup.delete()
        #expect(scratch.leftovers.isEmpty)
    }

    @Test func pidsLimitBlocksForks() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        let scratch = ScratchCgroups(hierarchies)
        defer { scratch.cleanUp() }
        let cgroup = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("pids"))
        try cgroup.create(limits: CgroupLimits(pids: 4))
        let child = try HeldChild("i=0; while [ $i -lt 10 ]; do busybox sleep 30 & i=$((i+1)); done; wait")
        try cgroup.addProcess(child.pid)
        child.release()
        // busybox sh exits with 2 on "can't fork"; its 3 sleeping children stay behind in the cgroup.
        let status = try #require(child.wait(seconds: 10))
        #expect(status >> 8 == 2)
        let stats = try cgroup.stats()
        #expect(stats.pidsCurrent == 3)
        #expect((stats.pidsLimitHits ?? 0) >= 1)
        try cgroup.kill()
        #expect(try cgroup.processes().isEmpty)
        try cgroup.delete()
        #expect(scratch.leftovers.isEmpty)
    }

    @Test func cpuQuotaBoundsUsage() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        let scratch = ScratchCgroups(hierarchies)
        defer { scratch.cleanUp() }
        let cgroup = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("cpu"))
        try cgroup.create(limits: CgroupLimits(cpuMillis: 200))
        #expect(try HostCgroupFileSystem().read(cgroup.directory("cpu")! + "/cpu.cfs_quota_us") == "20000\n")
        let child = try HeldChild("while :; do :; done")
        try cgroup.addProcess(child.pid)
        let start = CgroupOperations.monotonicSeconds()
        let before = try cgroup.stats().cpuUsageMicros ?? 0
        child.release()
        usleep(1_000_000)
        let used = Double((try cgroup.stats().cpuUsageMicros ?? 0) - before) / 1e6
        let elapsed = CgroupOperations.monotonicSeconds() - start
        try cgroup.kill()
        // 0.2 CPU over `elapsed` seconds; an unlimited loop would use about one CPU-second per second.
        #expect(used > 0.02, "the loop did not run: \(used) s in \(elapsed) s")
        #expect(used < 0.2 * elapsed * 2 + 0.05, "quota not enforced: \(used) s of CPU in \(elapsed) s")
        try cgroup.delete()
    }

    @Test func updateInPlaceFreezeKillAndDelete() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        let scratch = ScratchCgroups(hierarchies)
        defer { scratch.cleanUp() }
        let fileSystem = HostCgroupFileSystem()
        let cgroup = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("web"))
        let sibling = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("db"))
        try sibling.create(limits: CgroupLimits())
        try cgroup.create(limits: CgroupLimits(memory: 64 * Self.mib, cpuset: "0"))
        let memory = try #require(cgroup.directory("memory"))
        #expect(try fileSystem.read(memory + "/memory.memsw.limit_in_bytes") == "\(128 * Self.mib)\n")
        // cpuset.mems was copied from the parent, so tasks are accepted.
        #expect(try !fileSystem.read(cgroup.directory("cpuset")! + "/cpuset.mems").trimmingNewline.isEmpty)
        let child = try HeldChild("busybox sleep 30 & busybox sleep 30 & wait")
        try cgroup.addProcess(child.pid)
        child.release()
        #expect(CgroupOperations.wait(seconds: 5) { (try? cgroup.processes().count) == 3 })

        // Lower (limit first), then raise with unlimited swap (memsw first): both orders are accepted.
        try cgroup.update(limits: CgroupLimits(memory: 32 * Self.mib))
        #expect(try cgroup.stats().memoryLimit == 32 * Self.mib)
        #expect(try fileSystem.read(memory + "/memory.memsw.limit_in_bytes") == "\(64 * Self.mib)\n")
        try cgroup.update(limits: CgroupLimits(memory: 256 * Self.mib, memorySwap: -1))
        #expect(try cgroup.stats().memoryLimit == 256 * Self.mib)
        #expect(try cgroup.stats().pidsCurrent == 3)
        #expect(try fileSystem.read(cgroup.directory("cpuset")! + "/cpuset.cpus").trimmingNewline
            == fileSystem.read(hierarchies.mounts["cpuset"]! + "/" + scratch.top + "/proj/cpuset.cpus").trimmingNewline)

        try cgroup.freeze()
        #expect(try fileSystem.read(cgroup.directory("freezer")! + "/freezer.state") == "FROZEN\n")
        try cgroup.thaw()
        #expect(throws: CgroupError.self) { try cgroup.delete() }
        try cgroup.kill()
        #expect(try cgroup.processes().isEmpty)
        let status = try #require(child.wait(seconds: 5))
        #expect(status & 0x7F == SIGKILL)
        try cgroup.delete()
        // The project directory still holds db; deleting it removes every directory the tests created.
        #expect(!scratch.leftovers.isEmpty)
        try sibling.delete()
        #expect(scratch.leftovers.isEmpty)
    }

    @Test func hostLayoutIsDetectedAsHybrid() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        for controller in ["cpu", "cpuacct", "cpuset", "memory", "pids", "freezer", "blkio", "devices"] {
            #expect(hierarchies.mounts[controller] == "/sys/fs/cgroup/" + controller)
        }
        #expect(hierarchies.unified == "/sys/fs/cgroup/unified")
        #expect(hierarchies.unifiedControllers == ["hugetlb"])
    }

    @Test func blkioWeightIsSkippedAndReported() throws {
        guard let hierarchies = HostGate.legacy() else { return }
        let scratch = ScratchCgroups(hierarchies)
        defer { scratch.cleanUp() }
        let cgroup = LegacyCgroupManager(hierarchies: hierarchies, path: try scratch.path("io"))
        let report = try cgroup.create(limits: CgroupLimits(ioWeight: 300))
        if !HostCgroupFileSystem().exists(cgroup.directory("blkio")! + "/blkio.weight") {
            #expect(report.skipped == ["blkio.weight=300: no such file on this host"])
        }
        try cgroup.delete()
        #expect(scratch.leftovers.isEmpty)
    }
}
