@testable import BosunCgroups
import BosunModel
import Foundation
import Testing
import BosunTestSupport

@Suite struct UnifiedManagerTests {
    static let mib: Int64 = 1024 * 1024

    func manager(_ tree: FakeCgroupTree, _ name: String = "web-1") throws -> any CgroupManager {
        try tree.layout().manager(for: try CgroupPath.container(project: "shop", name: name), fileSystem: tree)
    }

    @Test func createEnablesControllersAlongThePathAndWritesEveryLimit() throws {
        let tree = try FakeCgroupTree()
        var resources = ResourceLimits()
        resources.memoryLimit = ByteSize(bytes: 512 * Self.mib)
        resources.memoryReservation = ByteSize(bytes: 256 * Self.mib)
        resources.cpuMillis = 1500
        resources.cpuShares = 512
        resources.cpuset = "1"
        resources.pidsLimit = 100
        let report = try manager(tree).create(limits: CgroupLimits(resources, ioWeight: 500))
        let enable = ["+cpu", "+cpuset", "+io", "+memory", "+pids"]
        #expect(tree.writes == enable.map { "cgroup.subtree_control=" + $0 }
            + enable.map { "bosun/cgroup.subtree_control=" + $0 }
            + enable.map { "bosun/shop/cgroup.subtree_control=" + $0 }
            + [
                "bosun/shop/web-1/memory.low=268435456", "bosun/shop/web-1/memory.max=536870912",
                "bosun/shop/web-1/memory.swap.max=536870912", "bosun/shop/web-1/cpu.max=150000 100000",
                "bosun/shop/web-1/cpu.weight=20", "bosun/shop/web-1/cpuset.cpus=1", "bosun/shop/web-1/pids.max=100",
                "bosun/shop/web-1/io.weight=default 4950",
            ])
        #expect(tree.text("bosun/shop/cgroup.subtree_control") == "cpu cpuset io memory pids")
        #expect(tree.text("bosun/shop/web-1/cgroup.subtree_control").isEmpty)
        #expect(report.skipped.isEmpty && report.written.count == 8)
    }

    @Test func swapFollowsDockerSemantics() throws {
        func swap(_ memory: Int64?, _ memswap: Int64?) throws -> String? {
            try CgroupSettings.unified(CgroupLimits(memory: memory, memorySwap: memswap)).writes
                .first { $0.file == "memory.swap.max" }?.value
        }
        #expect(try swap(512 * Self.mib, nil) == String(512 * Self.mib))
        #expect(try swap(512 * Self.mib, -1) == "max")
        #expect(try swap(512 * Self.mib, 1024 * Self.mib) == String(512 * Self.mib))
        #expect(try swap(512 * Self.mib, 512 * Self.mib) == "0")
        #expect(try swap(nil, nil) == "max")
    }

    @Test func unsetLimitsAreResetToKernelDefaults() throws {
        let writes = try CgroupSettings.unified(CgroupLimits()).writes.map(\.description)
        #expect(writes == ["memory.low=0", "memory.max=max", "memory.swap.max=max", "cpu.max=max 100000",
                           "cpu.weight=100", "pids.max=max", "io.weight=default 100"])
    }

    @Test func conversionsMatchRunc() {
        #expect(CgroupLimits.cpuWeight(shares: 2) == 1)
        #expect(CgroupLimits.cpuWeight(shares: 1024) == 39)
        #expect(CgroupLimits.cpuWeight(shares: 262_144) == 10000)
        #expect(CgroupLimits.ioWeight(blkioWeight: 10) == 1)
        #expect(CgroupLimits.ioWeight(blkioWeight: 1000) == 10000)
    }

    @Test func invalidLimitsAreRejectedBeforeAnyWrite() throws {
        let tree = try FakeCgroupTree()
        let cases: [(CgroupLimits, String, String)] = [
            (CgroupLimits(memory: Self.mib), "memory.max", "1048576"),
            (CgroupLimits(memory: 64 * Self.mib, memoryReservation: 128 * Self.mib), "memory.low", "134217728"),
            (CgroupLimits(memory: 64 * Self.mib, memorySwap: 32 * Self.mib), "memory.swap.max", "33554432"),
            (CgroupLimits(memorySwap: 32 * Self.mib), "memory.swap.max", "33554432"),
            (CgroupLimits(cpuMillis: 5), "cpu.max", "500"),
            (CgroupLimits(cpuShares: 1), "cpu.weight", "1"),
            (CgroupLimits(cpuset: "2-1"), "cpuset.cpus", "2-1"),
            (CgroupLimits(cpuset: "0-3"), "cpuset.cpus", "0-3"),
            (CgroupLimits(ioWeight: 5), "io.weight", "5"),
        ]
        for (limits, file, value) in cases {
            do {
                try manager(tree).create(limits: limits)
                Issue.record("\(limits) was accepted")
            } catch let error as CgroupError {
                #expect(error.code == .invalidLimit && error.file == file && error.value == value, "\(error)")
            }
        }
        #expect(!tree.writes.contains { $0.hasPrefix("bosun/shop/web-1/") })
    }

    @Test func missingControllerIsAnErrorOnlyWhenALimitNeedsIt() throws {
        let tree = try FakeCgroupTree(controllers: "cpu memory")
        let cgroup = try manager(tree)
        do {
            try cgroup.create(limits: CgroupLimits(pids: 10))
            Issue.record("pids limit without the pids controller was accepted")
        } catch {
            #expect(error.code == .controllerUnavailable && error.value == "10")
            #expect(error.file == tree.root + "/bosun/shop/web-1/pids.max")
        }
        let report = try cgroup.create(limits: CgroupLimits(memory: 64 * Self.mib, ioWeight: 300))
        #expect(report.skipped == ["io.weight=default 2930: no such file on this host"])
        #expect(tree.text("bosun/shop/web-1/memory.max") == "67108864")
    }

    @Test func updateRewritesInPlace() throws {
        let tree = try FakeCgroupTree()
        let cgroup = try manager(tree)
        try cgroup.create(limits: CgroupLimits(memory: 256 * Self.mib, cpuMillis: 500, pids: 50))
        try cgroup.addProcess(4242)
        try cgroup.update(limits: CgroupLimits(memory: 128 * Self.mib, memorySwap: -1, cpuReservationMillis: 250))
        #expect(tree.text("bosun/shop/web-1/memory.max") == "134217728")
        #expect(tree.text("bosun/shop/web-1/memory.swap.max") == "max")
        #expect(tree.text("bosun/shop/web-1/cpu.max") == "max 100000")
        #expect(tree.text("bosun/shop/web-1/pids.max") == "max")
        #expect(try cgroup.processes() == [4242])
        let report = try cgroup.update(limits: CgroupLimits(cpuReservationMillis: 250))
        #expect(report.skipped == ["cpu reservation 250m: a scheduling hint in Docker, not a cgroup limit"])
    }

    @Test func statsAreParsed() throws {
        let tree = try FakeCgroupTree()
        let cgroup = try manager(tree)
        try cgroup.create(limits: CgroupLimits(memory: 64 * Self.mib))
        try tree.set("bosun/shop/web-1/memory.current", "1234567\n")
        try tree.set("bosun/shop/web-1/memory.peak", "7654321\n")
        try tree.set("bosun/shop/web-1/memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n")
        try tree.set("bosun/shop/web-1/cpu.stat", "usage_usec 987654\nuser_usec 900000\nsystem_usec 87654\n")
        try tree.set("bosun/shop/web-1/pids.current", "3\n")
        try tree.set("bosun/shop/web-1/pids.events", "max 4\n")
        var expected = CgroupStats()
        expected.memoryUsage = 1_234_567
        expected.memoryPeak = 7_654_321
        expected.memoryLimit = 64 * Self.mib
        expected.oomKills = 2
        expected.cpuUsageMicros = 987_654
        expected.pidsCurrent = 3
        expected.pidsLimitHits = 4
        #expect(try cgroup.stats() == expected)
    }

    @Test("the CPU and pids limits in force are read from cpu.max and pids.max (what drift compares)")
    func limitsInForceAreRead() throws {
        let tree = try FakeCgroupTree()
        let cgroup = try manager(tree)
        try cgroup.create(limits: CgroupLimits(cpuMillis: 500, pids: 50))
        var stats = try cgroup.stats()
        #expect(stats.cpuLimitMillis == 500 && stats.pidsLimit == 50)
        try tree.set("bosun/shop/web-1/cpu.max", "150000 100000\n")
        try tree.set("bosun/shop/web-1/pids.max", "7\n")
        stats = try cgroup.stats()
        #expect(stats.cpuLimitMillis == 1500 && stats.pidsLimit == 7)
        try tree.set("bosun/shop/web-1/cpu.max", "max 100000\n")
        try tree.set("bosun/shop/web-1/pids.max", "max\n")
        stats = try cgroup.stats()
        #expect(stats.cpuLimitMillis == nil && stats.pidsLimit == nil)
        try tree.set("bosun/shop/web-1/cpu.max", "garbage\n")
        #expect(try cgroup.stats().cpuLimitMillis == nil, "an unreadable cpu.max is no limit, not a crash")
    }

    @Test func killFreezeAndDelete() throws {
        let tree = try FakeCgroupTree()
        let first = try manager(tree)
        let second = try manager(tree, "web-2")
        try first.create(limits: CgroupLimits())
        try second.create(limits: CgroupLimits())
        #expect(first.cloneIntoDirectory == tree.root + "/bosun/shop/web-1")
        let fd = try #require(first as? UnifiedCgroupManager).openForCloneInto()
        #expect(fd >= 0)
        close(fd)
        try first.addProcess(100)
        try first.addProcess(101)
        #expect(try first.processes() == [100, 101])
        try first.freeze()
        #expect(tree.text("bosun/shop/web-1/cgroup.freeze") == "1")
        try first.thaw()
        #expect(throws: CgroupError.self) { try first.delete() }
        try first.kill()
        #expect(tree.writes.contains("bosun/shop/web-1/cgroup.kill=1"))
        #expect(try first.processes().isEmpty)
        try first.delete()
        // The project directory is still used by web-2; deleting web-2 removes every directory created.
        #expect(tree.exists(tree.root + "/bosun/shop") && !tree.exists(tree.root + "/bosun/shop/web-1"))
        try second.delete()
        #expect(!tree.exists(tree.root + "/bosun"))
        try second.delete()
    }

    @Test func exitSummary() {
        #expect(ContainerExit(waitStatus: 9, oomKills: 1).description == "OOM (137)")
        #expect(ContainerExit(waitStatus: 9, oomKills: 0).description == "signal 9 (137)")
        #expect(ContainerExit(waitStatus: 3 << 8, oomKills: 1).description == "exit 3")
    }

    @Test func recordingManagerRecords() throws {
        let fake = RecordingCgroupManager(path: try CgroupPath.container(project: "p", name: "c"))
        try fake.create(limits: CgroupLimits(pids: 5))
        try fake.addProcess(7)
        #expect(try fake.processes() == [7])
        fake.failing("delete", with: CgroupError(.busy, action: "rmdir"))
        try fake.kill()
        #expect(throws: CgroupError(.busy, action: "rmdir")) { try fake.delete() }
        #expect(fake.calls == [.create(CgroupLimits(pids: 5)), .addProcess(7), .processes, .kill, .delete])
    }
}
