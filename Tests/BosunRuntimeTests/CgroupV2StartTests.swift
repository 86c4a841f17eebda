import BosunOCI
import CBosunSys
import Foundation
import Glibc
import Testing
@testable import BosunRuntime
import BosunTestSupport

/// cgroup v2's start path on this host's real cgroup2 mount (on the hybrid development hosts that is
/// /sys/fs/cgroup/unified, a cgroup2 hierarchy without controllers): programs are cloned straight into their
/// cgroup (`CLONE_INTO_CGROUP`), and a container's helper never moves itself. Root only.
@Suite("cgroup v2 start path (root)", .enabled(if: RootGate.enabled))
struct CgroupV2StartTests {
    /// The host's cgroup2 mount point, from mountinfo.
    static func cgroup2Mount() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { return String(fields[4]) }
        }
        return nil
    }

    /// Runs `/bin/cat /proc/self/cgroup` spawned into `directory`; returns what it printed.
    func catOwnCgroup(into directory: String, program: String = "/bin/cat") throws -> String {
        let cgroupFD = open(directory, BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC)
        try #require(cgroupFD >= 0)
        defer { close(cgroupFD) }
        var ends: [Int32] = [0, 0]
        try #require(bosun_pipe2(&ends, O_CLOEXEC) == 0)
        defer { close(ends[0]) }
        let pid: pid_t
        do {
            pid = try Spawn.start(program, arguments: ["cat", "/proc/self/cgroup"], environment: [], fds: [(ends[1], 1)],
                                  intoCgroup: cgroupFD, step: "spawn `\(program)`")
        } catch {
            close(ends[1])
            throw error
        }
        close(ends[1])
        let output = FileHandle(fileDescriptor: ends[0], closeOnDealloc: false).readDataToEndOfFile()
        #expect(Sys.waitpid(pid) == 0)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func aSpawnedProgramStartsInsideTheCgroup() throws {
        let mount = try #require(Self.cgroup2Mount(), "this host has no cgroup2 mount")
        let name = "bosun-spawn-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: mount + "/" + name, withIntermediateDirectories: false)
        defer { rmdir(mount + "/" + name) }
        // The very first thing the program reads is its cgroup: it never ran anywhere else.
        #expect(try catOwnCgroup(into: mount + "/" + name).split(separator: "\n").contains("0::/\(name)"))
        // An exec failure in the child reaches the caller as its errno.
        #expect(throws: RuntimeError.self) { try catOwnCgroup(into: mount + "/" + name, program: "/nonexistent/cat") }
    }

    @Test func aDetachedContainersHelperIsClonedIntoItsCgroupByTheMonitor() throws {
        let mount = try #require(Self.cgroup2Mount(), "this host has no cgroup2 mount")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("sleep 30")
        let beside = URL(fileURLWithPath: RuntimeFixture.binary).deletingLastPathComponent().path
        var runtime = ContainerRuntime(root: fixture.stateRoot, helperExecutable: beside + "/bosun-init")
        runtime.cgroupRoot = mount
        let id = "v2d-\(UUID().uuidString.prefix(8))"
        let monitorDirectory = fixture.directory + "/monitor"
        try FileManager.default.createDirectory(atPath: monitorDirectory, withIntermediateDirectories: true)
        let started = try runtime.runDetached(
            id: id, bundle: fixture.bundle, monitor: MonitorConfiguration(executable: beside + "/bosun-monitor", directory: monitorDirectory))
        let cgroups = try String(contentsOfFile: "/proc/\(started.pid)/cgroup", encoding: .utf8)
        #expect(cgroups.split(separator: "\n").contains("0::/bosun/\(id)"), "\(cgroups)")
        // The monitor itself stays outside the container's cgroup.
        let monitorCgroups = try String(contentsOfFile: "/proc/\(started.monitorPid)/cgroup", encoding: .utf8)
        #expect(!monitorCgroups.contains("/bosun/\(id)"), "\(monitorCgroups)")
        try runtime.delete(id: id, force: true)
        #expect(!FileManager.default.fileExists(atPath: "\(mount)/bosun/\(id)"))
        for _ in 0..<200 where kill(started.monitorPid, 0) == 0 { usleep(10_000) }
        rmdir("\(mount)/bosun")
    }

    @Test func aContainersHelperIsClonedIntoItsCgroup() throws {
        let mount = try #require(Self.cgroup2Mount(), "this host has no cgroup2 mount")
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("sleep 30")
        let id = "v2-\(UUID().uuidString.prefix(8))"
        let created = try RuntimeFixture.run("/bin/sh", ["-c", "'\(RuntimeFixture.binary)' runtime --root '\(fixture.stateRoot)' --cgroup-root '\(mount)' create --bundle '\(fixture.bundle)' \(id) </dev/null >/dev/null 2>&1"])
        #expect(created.status == 0)
        let state = try fixture.bosun(["state", id]).stdout
        let pid = try #require(try JSONDecoder().decode(ContainerState.self, from: Data(state.utf8)).pid)
        let cgroups = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        #expect(cgroups.split(separator: "\n").contains("0::/bosun/\(id)"), "\(cgroups)")
        #expect(try String(contentsOfFile: "\(mount)/bosun/\(id)/cgroup.procs", encoding: .utf8) == "\(pid)\n")
        // The container remembers its cgroup root: `delete` without the option finds the cgroup.
        let deleted = try fixture.bosun(["delete", "--force", id])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(mount)/bosun/\(id)"))
        rmdir("\(mount)/bosun")
    }
}
