import BosunOCI
import Foundation
import Testing
import BosunTestSupport

/// Containers in cgroups on this host (v1/hybrid here): limits seen from the host, the cgroup namespace's root
/// seen from inside, placement by `cgroupsPath`, and nothing left after `delete`. Root only.
@Suite("runtime cgroups (root)", .enabled(if: RootGate.enabled))
struct CgroupContainerTests {
    static let root = "/sys/fs/cgroup"

    /// A cgroup file of the container in the v1 hierarchy `controller`.
    func read(_ controller: String, _ path: String, _ file: String) -> String? {
        (try? String(contentsOfFile: "\(Self.root)/\(controller)/\(path)/\(file)", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `create` with the container's stdio away from our pipes (the held init keeps them open).
    func create(_ fixture: RuntimeFixture, _ id: String) throws -> Int32 {
        try RuntimeFixture.run("/bin/sh", ["-c", "'\(RuntimeFixture.binary)' runtime --root '\(fixture.stateRoot)' create --bundle '\(fixture.bundle)' \(id) </dev/null >/dev/null 2>&1"]).status
    }

    func isLegacy() -> Bool { FileManager.default.fileExists(atPath: Self.root + "/memory/cgroup.procs") }

    /// Every directory named `name` under /sys/fs/cgroup.
    func leftovers(_ name: String) -> [String] {
        let found = try? RuntimeFixture.run("/usr/bin/find", [Self.root, "-name", name])
        return (found?.stdout ?? "").split(separator: "\n").map(String.init)
    }

    @Test func limitsAreAppliedBeforeStartAndRemovedOnDelete() throws {
        try #require(isLegacy(), "these checks read cgroup v1 files")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let top = "bosun-test-\(UUID().uuidString.prefix(8))"
        let path = "\(top)/abs"
        try fixture.writeSpec("cat /proc/self/cgroup; sleep 30") { spec in
            spec.linux?.cgroupsPath = "/" + path
            var resources = RuntimeSpec.LinuxResources()
            resources.memory = .init(limit: 64 << 20)
            resources.cpu = .init(shares: 512, quota: 50_000, period: 100_000)
            resources.pids = .init(limit: 16)
            spec.linux?.resources = resources
        }
        #expect(try create(fixture, "cg-abs") == 0)
        #expect(read("memory", path, "memory.limit_in_bytes") == "67108864")
        #expect(read("pids", path, "pids.max") == "16")
        #expect(read("cpu", path, "cpu.shares") == "512")
        #expect(read("cpu", path, "cpu.cfs_quota_us") == "50000")
        #expect(read("cpu", path, "cpu.cfs_period_us") == "100000")
        // The init is in the cgroup of every hierarchy before `create` returns.
        let state = try fixture.bosun(["state", "cg-abs"]).stdout
        let pid = try #require(try JSONDecoder().decode(ContainerState.self, from: Data(state.utf8)).pid)
        for controller in ["memory", "pids", "cpu", "cpuset", "devices", "freezer", "blkio"] {
            #expect(read(controller, path, "cgroup.procs")?.split(separator: "\n").contains(Substring(String(pid))) == true,
                    "pid \(pid) not in \(controller)")
        }
        #expect(try fixture.bosun(["delete", "--force", "cg-abs"]).status == 0)
        #expect(leftovers(top) == [])
    }

    @Test func limitsOfARunningContainerChangeInPlace() throws {
        try #require(isLegacy(), "these checks read cgroup v1 files")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let top = "bosun-test-\(UUID().uuidString.prefix(8))"
        try fixture.writeSpec("sleep 30") { spec in
            spec.linux?.cgroupsPath = "/" + top
            var resources = RuntimeSpec.LinuxResources()
            resources.memory = .init(limit: 64 << 20)
            resources.pids = .init(limit: 16)
            spec.linux?.resources = resources
        }
        #expect(try create(fixture, "cg-update") == 0)
        #expect(try fixture.bosun(["start", "cg-update"]).status == 0)
        let before = try fixture.bosun(["state", "cg-update"]).stdout
        let update = try fixture.bosun(["update", "--memory", "96m", "--pids-limit", "32", "--cpu-quota", "20000", "--cpu-period", "100000", "cg-update"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(read("memory", top, "memory.limit_in_bytes") == "100663296")
        #expect(read("pids", top, "pids.max") == "32")
        #expect(read("cpu", top, "cpu.cfs_quota_us") == "20000")
        // Same process: nothing was restarted.
        #expect(try fixture.bosun(["state", "cg-update"]).stdout == before)
        #expect(try fixture.bosun(["update", "cg-update"]).status != 0)
        #expect(try fixture.bosun(["delete", "--force", "cg-update"]).status == 0)
        #expect(leftovers(top) == [])
    }

    @Test func theCgroupNamespaceIsRootedAtTheContainersCgroup() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let id = "cg-ns-\(UUID().uuidString.prefix(8))"
        let outcome = try fixture.run("cat /proc/self/cgroup", id: id) { spec in
            var resources = RuntimeSpec.LinuxResources()
            resources.pids = .init(limit: 20)
            spec.linux?.resources = resources
        }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").filter { $0.contains(":pids:") || $0.hasPrefix("0::") }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasSuffix(":/") }, "\(outcome.stdout)")
        #expect(leftovers(id) == [])
    }

    @Test func aHugepageLimitOnAHybridHostPutsTheInitInTheCgroup2DirectoryToo() throws {
        let unified = Self.root + "/unified"
        let offered = (try? String(contentsOfFile: unified + "/cgroup.controllers", encoding: .utf8)) ?? ""
        try #require(isLegacy() && offered.contains("hugetlb"), "needs a hybrid host whose cgroup2 has hugetlb")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("sleep 30") { spec in
            var resources = RuntimeSpec.LinuxResources()
            resources.hugepageLimits = [.init(pageSize: "2MB", limit: 4 << 20)]
            spec.linux?.resources = resources
        }
        let id = "cg-huge-\(UUID().uuidString.prefix(8))"
        #expect(try create(fixture, id) == 0)
        let state = try fixture.bosun(["state", id]).stdout
        let pid = try #require(try JSONDecoder().decode(ContainerState.self, from: Data(state.utf8)).pid)
        let cgroups = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        #expect(cgroups.split(separator: "\n").contains("0::/bosun/\(id)"), "\(cgroups)")
        #expect(cgroups.split(separator: "\n").contains { $0.hasSuffix(":memory:/bosun/\(id)") }, "\(cgroups)")
        #expect((try? String(contentsOfFile: "\(unified)/bosun/\(id)/hugetlb.2MB.max", encoding: .utf8)) == "4194304\n")
        #expect(try fixture.bosun(["delete", "--force", id]).status == 0)
        #expect(leftovers(id) == [])
    }

    @Test func aRelativePathLivesUnderBosun() throws {
        try #require(isLegacy(), "these checks read cgroup v1 files")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let top = "bosun-test-\(UUID().uuidString.prefix(8))"
        try fixture.writeSpec("sleep 30") { spec in
            spec.linux?.cgroupsPath = top + "/rel"
            var resources = RuntimeSpec.LinuxResources()
            resources.memory = .init(limit: 32 << 20)
            spec.linux?.resources = resources
        }
        let id = "cg-rel-\(UUID().uuidString.prefix(8))"
        #expect(try create(fixture, id) == 0)
        #expect(read("memory", "bosun/\(top)/rel", "memory.limit_in_bytes") == "33554432")
        #expect(try fixture.bosun(["delete", "--force", id]).status == 0)
        #expect(leftovers(top) == [])
    }

    @Test func aPidsLimitStopsForks() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait") { spec in
            var resources = RuntimeSpec.LinuxResources()
            resources.pids = .init(limit: 4)
            spec.linux?.resources = resources
        }
        #expect(outcome.stderr.contains("can't fork"), "\(outcome.stderr)")
    }
}
