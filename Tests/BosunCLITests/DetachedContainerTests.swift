import Foundation
import Testing

@Suite("detached containers", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct DetachedContainerTests {
    @Test("logs keep stdout and stderr apart, in order; --tail, --since, -t; exit code recorded; rm leaves nothing")
    func logs() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("logs")
        try fixture.start(name, script: "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'no newline'; exit 3")
        let exited = try fixture.waitForExit(name)
        #expect(exited["exit_code"] as? Int == 3 && exited["oom_killed"] as? Bool == false)
        #expect((exited["status"] as? String)?.hasPrefix("Exited (3) ") == true)
        let logs = try fixture.bosun(["logs", name])
        #expect(logs.stdout == "out1\nout2\nno newline")
        #expect(logs.stderr == "err1\nerr2\n")
        #expect(try fixture.bosun(["logs", "--tail", "1", name]).stdout == "no newline")
        #expect(try fixture.bosun(["logs", "--since", "2000-01-01T00:00:00Z", name]).stdout == "out1\nout2\nno newline")
        #expect(try fixture.bosun(["logs", "--since", "2999-01-01", name]).stdout.isEmpty)
        let stamped = try fixture.bosun(["logs", "-t", name]).stdout.split(separator: "\n")
        #expect(stamped.count == 3 && stamped.allSatisfy { $0.count > 31 && $0.dropFirst(29).hasPrefix("Z ") })
        // Follow on an exited container prints everything and returns.
        #expect(try fixture.bosun(["logs", "-f", name]).stdout == "out1\nout2\nno newline")

        let cgroup = try fixture.cgroupPath(name)
        let removed = try fixture.bosun(["rm", name])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/containers/" + name))
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/runtime/" + name))
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/" + cgroup))
        #expect(try !String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).contains(fixture.directory))
        #expect(try fixture.bosun(["logs", name]).status == 1)
    }

    @Test("rotation keeps max-file files and logs reads across them in order")
    func rotation() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("rotate")
        try fixture.start(name, ["--log-opt", "max-size=2k", "--log-opt", "max-file=3"],
                          script: "for i in $(/bin/busybox seq 1 300); do echo line $i; done")
        _ = try fixture.waitForExit(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.state + "/containers/" + name).filter { $0.hasPrefix("ctr.log") }
        #expect(files.sorted() == ["ctr.log", "ctr.log.1", "ctr.log.2"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: fixture.state + "/containers/\(name)/\(file)")[.size] as? Int ?? 0
            #expect(size <= 2048 && size > 0)
        }
        let logs = try fixture.bosun(["logs", name])
        // The oldest lines were rotated away; what is left is the newest, consecutive and in order.
        let out = logs.stdout.split(separator: "\n").compactMap { $0.hasPrefix("line ") ? Int($0.dropFirst(5)) : nil }
        #expect(out.count > 20 && out.last == 300 && out == Array((301 - out.count)...300))
        #expect(logs.stdout.split(separator: "\n").count == out.count && logs.stderr.isEmpty)
        #expect(try fixture.bosun(["logs", "--tail", "25", name]).stdout == (276...300).map { "line \($0)\n" }.joined())
    }

    @Test("a failed start exits 125 with the failing step, leaves no container and no monitor behind")
    func failures() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("broken")
        let missing = try BosunBinary.run(["run", "--network", "none", "-d", "--state-dir", fixture.state, "--name", name, fixture.image, "/nonexistent"])
        #expect(missing.status == 125 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("exec `/nonexistent`: no such file or directory"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/containers/" + name))
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/runtime/" + name))
        var monitors = ""
        for _ in 0..<50 where monitors != "0\n" {  // the abandoned monitor exits right after the failed start
            monitors = try BosunBinary.shell("ps -eo args | grep -c '[b]osun-monitor --log \(fixture.state)' || true", in: fixture.directory)
            if monitors != "0\n" { usleep(100_000) }
        }
        #expect(monitors == "0\n")
        let taken = fixture.name("taken")
        try fixture.start(taken, script: "sleep 100")
        let duplicate = try BosunBinary.run(["run", "--network", "none", "-d", "--state-dir", fixture.state, "--name", taken, fixture.image, "/bin/true"])
        #expect(duplicate.status == 125 && duplicate.stderr.contains("already exists"))
        #expect(try fixture.inspect(taken)?["state"] as? String == "running")
    }

    @Test("an OOM kill is recorded as OOM with 137")
    func oom() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("oom")
        try fixture.start(name, ["--memory", "16m"],
                          script: "x=$(/bin/busybox head -c 60000000 /dev/zero | /bin/busybox tr '\\0' a); echo survived")
        let exited = try fixture.waitForExit(name)
        #expect(exited["exit_code"] as? Int == 137 && exited["oom_killed"] as? Bool == true)
        #expect((exited["status"] as? String)?.hasSuffix("(OOM)") == true)
        #expect(try fixture.bosun(["ps"]).stdout.split(separator: "\n").count == 1)  // only the header: nothing running
    }

    @Test("a container outlives its launcher being SIGKILLed: it keeps logging and its later exit is recorded")
    func outlivesLauncher() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("orphan")
        let marker = fixture.directory + "/go"
        // The container logs until the test creates the marker (bound in), then exits 5.
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: "/bin/sh")
        launcher.arguments = ["-c", "\"$0\" run -d --network none --state-dir \"$1\" --name \"$2\" -v \"$3\":/shared \"$4\" /bin/busybox sh -c "
                              + "'i=0; until test -e /shared/go; do echo tick $i; i=$((i+1)); sleep 0.1; done; echo done; exit 5' && exec sleep 1000",
                              BosunBinary.path, fixture.state, name, fixture.directory, fixture.image]
        launcher.standardOutput = FileHandle.nullDevice
        try launcher.run()
        defer { if launcher.isRunning { kill(launcher.processIdentifier, SIGKILL) } }
        var running = false
        for _ in 0..<300 where !running {
            running = try fixture.inspect(name)?["state"] as? String == "running"
            if !running { usleep(100_000) }
        }
        try #require(running, "the container did not start")
        kill(launcher.processIdentifier, SIGKILL)
        launcher.waitUntilExit()
        let before = try fixture.bosun(["logs", name]).stdout.split(separator: "\n").count
        var after = before
        for _ in 0..<300 where after <= before {
            usleep(100_000)
            after = try fixture.bosun(["logs", name]).stdout.split(separator: "\n").count
        }
        #expect(after > before, "the log stopped growing after the launcher died")
        #expect(try fixture.inspect(name)?["monitored"] as? Bool == true)
        #expect(FileManager.default.createFile(atPath: marker, contents: nil))
        let exited = try fixture.waitForExit(name)
        #expect(exited["exit_code"] as? Int == 5)
        #expect(try fixture.bosun(["ps", "-a"]).stdout.contains("Exited (5)"))
        #expect(try fixture.bosun(["logs", "--tail", "1", name]).stdout == "done\n")
    }
}
