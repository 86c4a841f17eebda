import BosunOCI
import BosunRuntime
import Foundation
import Glibc
import Testing
import BosunTestSupport

@Suite("exec into a running container (root)", .enabled(if: RootGate.enabled))
struct ExecTests {
    @Test("exec joins the container's pid namespace: its init is pid 1 and the process is listed in /proc")
    func pidNamespace() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        let outcome = try container.shell("readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep -qx $$ && echo listed; ps -o pid,args")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(container.pid)/ns/pid")))
        #expect(lines.dropFirst().first == "sleep 1000 ")
        #expect(lines.contains("listed"))
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("1 sleep 1000") }, "\(outcome.stdout)")
    }

    @Test("exec runs as the container's user; --user and -u override it")
    func user() throws {
        let container = try RunningContainer { spec in
            spec.process?.user = RuntimeSpec.User(uid: 1000, gid: 1000)
        }
        defer { container.tearDown() }
        #expect(try container.shell("id -u; id -g; echo $HOME").stdout == "1000\n1000\n/home/alice\n")
        #expect(try container.shell("id -u; id -g", options: ["--user", "0:0"]).stdout == "0\n0\n")
        let result = try container.runtime.exec(id: container.id, arguments: ["sh", "-c", "id -u; id -g; id -G"],
                                                options: ExecOptions(output: .capture(limit: 4096), user: "root"))
        #expect(String(decoding: result.output, as: UTF8.self) == "0\n0\n0\n")
        let byName = try container.runtime.exec(id: container.id, arguments: ["id", "-G"], options: ExecOptions(output: .capture(limit: 4096), user: "alice"))
        #expect(String(decoding: byName.output, as: UTF8.self) == "1000 50\n")
        #expect(throws: RuntimeError.self) {
            try container.runtime.exec(id: container.id, arguments: ["true"], options: ExecOptions(output: .discard, user: "nobody-here"))
        }
    }

    @Test("exec sees the container's hostname, cgroup, capabilities and no_new_privs")
    func isolation() throws {
        let container = try RunningContainer { spec in
            let caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
            spec.process?.capabilities?.bounding = caps
            spec.process?.capabilities?.effective = caps
            spec.process?.capabilities?.permitted = caps
        }
        defer { container.tearDown() }
        let outcome = try container.shell("hostname; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status")
        let initStatus = try String(contentsOfFile: "/proc/\(container.pid)/status", encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("CapEff") || $0.hasPrefix("CapBnd") || $0.hasPrefix("NoNewPrivs") }
        #expect(outcome.stdout == "testbox\n" + initStatus.joined(separator: "\n") + "\n")
        #expect(outcome.stdout.contains("CapEff:\t0000000000000421"))

        // A process left running: in the init's cgroups, listed in the container cgroup's cgroup.procs.
        let started = try container.runtime.startExec(id: container.id, process: container.runtime.execProcess(id: container.id, arguments: ["sleep", "100"]))
        let cgroups = try String(contentsOfFile: "/proc/\(started.pid)/cgroup", encoding: .utf8)
        #expect(cgroups == (try String(contentsOfFile: "/proc/\(container.pid)/cgroup", encoding: .utf8)))
        let procs = try #require(ExecTests.cgroupProcsFile(of: container.pid), "no cgroup.procs for \(container.pid)")
        #expect(try String(contentsOfFile: procs, encoding: .utf8).split(separator: "\n").contains(Substring("\(started.pid)")))
        started.signal(SIGKILL)
        #expect(started.wait().status == 137)
    }

    @Test("a syscall the container's seccomp policy blocks is blocked in exec too")
    func seccomp() throws {
        let container = try RunningContainer { spec in
            var policy = RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW")
            policy.architectures = ["SCMP_ARCH_X86_64"]
            policy.syscalls = [RuntimeSpec.Syscall(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95)]
            spec.linux?.seccomp = policy
        }
        defer { container.tearDown() }
        let outcome = try container.shell("grep '^Seccomp:' /proc/self/status; mkdir /tmp/x; echo status=$?")
        #expect(outcome.stdout == "Seccomp:\t2\nstatus=1\n")
        #expect(outcome.stderr.contains("not supported"), "\(outcome.stderr)")
    }

    @Test("environment from config.json plus --env, working directory from config.json or --cwd")
    func environmentAndDirectory() throws {
        let container = try RunningContainer { spec in
            spec.process?.env = ["PATH=/bin", "FROM_CONFIG=1", "REPLACED=old"]
            spec.process?.cwd = "/home/alice"
        }
        defer { container.tearDown() }
        let outcome = try container.shell("echo $FROM_CONFIG $REPLACED $ADDED; pwd", options: ["--env", "ADDED=yes", "-e", "REPLACED=new"])
        #expect(outcome.stdout == "1 new yes\n/home/alice\n")
        #expect(try container.exec(["--cwd", "/tmp"], "pwd").stdout == "/tmp\n")
        let result = try container.runtime.exec(id: container.id, arguments: ["pwd"], options: ExecOptions(output: .capture(limit: 100), workingDirectory: "/etc"))
        #expect(result.output == Array("/etc\n".utf8))
    }

    @Test("exit codes: the process's, 127 for a missing program, 126 for one that cannot run, 128+9 when killed")
    func exitCodes() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        #expect(try container.exec([], "true").status == 0)
        #expect(try container.shell("exit 3").status == 3)
        let missing = try container.exec([], "no-such-program")
        #expect(missing.status == 127)
        #expect(missing.stderr.hasPrefix("bosun: exec `no-such-program`: no such file or directory"), "\(missing.stderr)")
        #expect(try container.exec([], "/etc/passwd").status == 126)
        #expect(try container.shell("kill -9 $$").status == 137)
    }

    @Test("capture keeps the last bytes of stdout and stderr; a timeout kills the process")
    func captureAndTimeout() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        let runtime = container.runtime
        let both = try runtime.exec(id: container.id, arguments: ["sh", "-c", "echo out; echo err >&2; exit 4"], options: ExecOptions(output: .capture(limit: 4096)))
        #expect(both.status == 4)
        #expect(String(decoding: both.output, as: UTF8.self) == "out\nerr\n")
        #expect(!both.outputTruncated && !both.timedOut)
        let long = try runtime.exec(id: container.id, arguments: ["sh", "-c", "yes 0123456789 | head -n 1000; echo end"], options: ExecOptions(output: .capture(limit: 4096)))
        #expect(long.output.count == 4096 && long.outputTruncated)
        #expect(String(decoding: long.output, as: UTF8.self).hasSuffix("0123456789\nend\n"))
        let slow = try runtime.exec(id: container.id, arguments: ["sh", "-c", "echo started; sleep 100"],
                                    options: ExecOptions(output: .capture(limit: 4096), timeout: .milliseconds(300)))
        #expect(slow.timedOut)
        #expect(slow.status == 137)
        #expect(slow.output == Array("started\n".utf8))
        let quick = try runtime.exec(id: container.id, arguments: ["true"], options: ExecOptions(output: .discard, timeout: .seconds(60)))
        #expect(quick.status == 0 && !quick.timedOut)
    }

    @Test("-t gives the process a terminal of the container's devpts")
    func terminal() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        let started = try container.runtime.startExec(id: container.id, process: container.runtime.execProcess(id: container.id, arguments: [
            "sh", "-c", "tty; test -t 0 && test -t 1 && echo is-a-tty",
        ]), options: ExecOptions(terminal: true))
        let master = try #require(started.terminal)
        #expect(started.terminalName?.hasPrefix("/dev/pts/") == true)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        #expect(started.wait().status == 0)
        #expect(text == "\(started.terminalName ?? "")\r\nis-a-tty\r\n")

        // The CLI: a pty of our own as its terminal (raw mode and relaying), via script(1).
        let script = try RuntimeFixture.run("/usr/bin/script", ["-qec", "'\(RuntimeFixture.binary)' runtime --root '\(container.fixture.stateRoot)' exec -t '\(container.id)' sh -c 'tty; test -t 0 && echo is-a-tty; exit 5'", "/dev/null"])
        #expect(script.status == 5, "\(script.stdout)\(script.stderr)")
        #expect(script.stdout.contains("/dev/pts/") && script.stdout.contains("is-a-tty"), "\(script.stdout)")
    }

    @Test("exec into a missing or stopped container fails clearly with 125")
    func errors() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        let missing = try container.fixture.bosun(["exec", "no-such-container", "true"])
        #expect(missing.status == 125)
        #expect(missing.stderr.hasPrefix("bosun: container `no-such-container`: does not exist"), "\(missing.stderr)")
        #expect(try container.fixture.bosun(["kill", container.id, "KILL"]).status == 0)
        var tries = 0
        while tries < 200, try container.fixture.bosun(["state", container.id]).stdout.contains("running") {
            usleep(10_000)
            tries += 1
        }
        let stopped = try container.exec([], "true")
        #expect(stopped.status == 125)
        #expect(stopped.stderr == "bosun: exec in container `\(container.id)`: the container is stopped (only a running container can run more processes)\n")
    }

    @Test("--process runs an OCI process object from a file; -d detaches and writes --pid-file")
    func processFileAndDetach() throws {
        let container = try RunningContainer()
        defer { container.tearDown() }
        let file = container.fixture.directory + "/process.json"
        try #"{"args": ["sh", "-c", "echo $A; id -u; pwd"], "env": ["A=from-file"], "cwd": "/tmp", "user": {"uid": 1000, "gid": 1000}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try container.exec(["--process", file])
        #expect(outcome.stdout == "from-file\n1000\n/tmp\n", "\(outcome.stderr)")
        let pidFile = container.fixture.directory + "/exec.pid"
        #expect(try container.exec(["-d", "--pid-file", pidFile], "sleep", "100").status == 0)
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) == "sleep\u{0}100\u{0}")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/pid")
            == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(container.pid)/ns/pid")))
    }

    @Test("bosun exec: docker's surface on a container under --state-dir")
    func dockerSurface() throws {
        let state = "/var/tmp/bosun-exec-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let container = try RunningContainer(stateRoot: state + "/runtime") { spec in
            spec.process?.user = RuntimeSpec.User(uid: 1000, gid: 1000)
        }
        defer { container.tearDown(root: state + "/runtime") }
        func exec(_ arguments: [String]) throws -> RuntimeFixture.Outcome {
            try RuntimeFixture.run(RuntimeFixture.binary, ["exec", "--state-dir", state] + arguments)
        }
        #expect(try exec([container.id, "--", "id", "-un"]).stdout == "alice\n")
        let outcome = try exec(["-u", "root", "-e", "X=1", "-w", "/tmp", container.id, "--", "sh", "-c", "id -un; echo $X; pwd"])
        #expect(outcome.stdout == "root\n1\n/tmp\n", "\(outcome.stderr)")
        #expect(try exec([container.id, "--", "sh", "-c", "exit 9"]).status == 9)
        #expect(try exec([container.id, "--", "nope"]).status == 127)
        #expect(try exec(["-u", "ghost", container.id, "--", "true"]).stderr == "bosun: user `ghost`: not found in the container's /etc/passwd\n")
    }

    /// The `cgroup.procs` of `pid`'s cgroup in a v1 hierarchy mounted under /sys/fs/cgroup, or of its v2 cgroup.
    static func cgroupProcsFile(of pid: Int32) -> String? {
        let lines = ((try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "").split(separator: "\n")
        for line in lines {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            let base = fields[1].isEmpty ? (FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup")
                : "/sys/fs/cgroup/" + fields[1].replacingOccurrences(of: "name=", with: "")
            let file = base + fields[2] + "/cgroup.procs"
            if fields[2] != "/" && FileManager.default.fileExists(atPath: file) { return file }
        }
        return nil
    }
}
