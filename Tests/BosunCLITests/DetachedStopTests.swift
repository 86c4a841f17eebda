import Foundation
import Testing

@Suite("stopping detached containers", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct DetachedStopTests {
    @Test("a process that ignores SIGTERM is gone after the grace period")
    func ignoresTerm() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("stubborn")
        try fixture.start(name, script: "trap '' TERM; echo ready; while true; do sleep 1; done")
        let pid = try #require(try fixture.inspect(name)?["pid"] as? Int)
        let stopped = try fixture.bosun(["stop", "-t", "1", name])
        #expect(stopped.status == 0 && stopped.stdout == name + "\n", "\(stopped.stderr)")
        #expect(kill(pid_t(pid), 0) != 0, "the container's init survived stop")
        let exited = try fixture.waitForExit(name)
        #expect(exited["exit_code"] as? Int == 137)
        #expect(try fixture.bosun(["rm", name]).status == 0)
    }

    @Test("a container that forked daemons is fully gone after stop; rm removes its cgroup; rm refuses a running one")
    func daemons() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("daemons")
        try fixture.start(name, script: "/bin/busybox setsid /bin/busybox sleep 1000 & /bin/busybox sleep 1000 & exec /bin/busybox sleep 1000")
        let cgroup = try fixture.cgroupPath(name)
        let procs = "/sys/fs/cgroup/memory/\(cgroup)/cgroup.procs"
        var count = 0
        for _ in 0..<100 where count < 3 {
            count = ((try? String(contentsOfFile: procs, encoding: .utf8)) ?? "").split(separator: "\n").count
            if count < 3 { usleep(50_000) }
        }
        #expect(count == 3)
        let refused = try fixture.bosun(["rm", name])
        #expect(refused.status != 0 && refused.stderr.contains("the container is running"))
        #expect(try fixture.bosun(["stop", "-t", "1", name]).status == 0)
        #expect(((try? String(contentsOfFile: procs, encoding: .utf8)) ?? "").isEmpty)
        #expect(try fixture.bosun(["rm", name]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/" + cgroup))
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/" + cgroup))
    }

    @Test("--init reaps orphaned zombies and forwards SIGTERM to the command")
    func initReapsAndForwards() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("init")
        // Each inner shell leaves an orphan that exits at once: only PID 1 can reap it.
        try fixture.start(name, ["--init"], script: """
            for i in 1 2 3 4 5; do /bin/busybox sh -c '/bin/busybox true & exit 0'; done; \
            trap 'echo got TERM; exit 7' TERM; echo ready; while true; do /bin/busybox sleep 0.1; done
            """)
        let cgroup = try fixture.cgroupPath(name)
        var ready = false
        for _ in 0..<300 where !ready {
            ready = try fixture.bosun(["logs", name]).stdout.contains("ready")
            if !ready { usleep(100_000) }
        }
        try #require(ready)
        var zombies: [String] = []
        for _ in 0..<50 {
            let pids = ((try? String(contentsOfFile: "/sys/fs/cgroup/memory/\(cgroup)/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n")
            zombies = pids.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
                return stat[stat.index(close, offsetBy: 2)] == "Z"
            }.map(String.init)
            if zombies.isEmpty { break }
            usleep(100_000)
        }
        #expect(zombies.isEmpty, "zombies left in the container: \(zombies)")
        let initPid = try #require(try fixture.inspect(name)?["pid"] as? Int)
        let command = try String(contentsOfFile: "/proc/\(initPid)/cmdline", encoding: .utf8).split(separator: "\0")
        #expect(command.prefix(3) == ["/.bosun/init", "--", "/bin/busybox"])
        #expect(try fixture.bosun(["stop", name]).status == 0)
        let exited = try fixture.waitForExit(name)
        #expect(exited["exit_code"] as? Int == 7, "SIGTERM was not forwarded: \(exited)")
        #expect(try fixture.bosun(["logs", name]).stdout.contains("got TERM\n"))
    }
}
