import Foundation
import Testing

/// `bosun run` in the foreground as a Docker user expects it: stdin with -i, a terminal with -t (and -it),
/// signals forwarded to the container, and a container never invisible — listed while it runs, removed by its
/// monitor when it exits even if `bosun` was killed, and `rm -f` of it ends `bosun run` with 137. As root.
@Suite("bosun run in the foreground", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil), .serialized)
struct RunForegroundTests {
    static let image = "localhost:5000/bosun/busybox:1.35"

    /// A state directory with the fixture image imported.
    static func state() throws -> (dir: String, state: String) {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", dir + "/state"]).status == 0)
        return (dir, dir + "/state")
    }

    /// `bosun run` started in the background (its stdin /dev/null), for signals.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BosunBinary.path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func names(_ state: String) throws -> [String] {
        try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state]).stdout.split(separator: "\n").compactMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test("stdin reaches the container with -i, not without; stdout, stderr and the status come back")
    func stdio() throws {
        let (dir, state) = try Self.state()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let piped = try BosunBinary.shell("echo piped | \(BosunBinary.path) run -i --network none --state-dir \(state) \(Self.image) cat", in: dir)
        #expect(piped == "piped\n")
        let closed = try BosunBinary.shell("echo piped | \(BosunBinary.path) run --network none --state-dir \(state) \(Self.image) cat", in: dir)
        #expect(closed == "")
        let outcome = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, Self.image, "sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(outcome.status == 7 && outcome.stdout == "out\n" && outcome.stderr == "err\n")
        #expect(try Self.names(state).isEmpty, "a foreground container is removed when it exits")
    }

    @Test("-t gives the container a terminal relayed to this one; -it reads from it")
    func terminal() throws {
        let (dir, state) = try Self.state()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "echo tty=$(tty)\nexit 5\n".write(toFile: dir + "/commands", atomically: true, encoding: .utf8)
        let command = "\(BosunBinary.path) run -it --network none --state-dir \(state) \(Self.image) sh < \(dir)/commands"
        let interactive = try BosunBinary.run(program: "/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(interactive.status == 5)
        #expect(interactive.stdout.contains("tty=/dev/pts/"), "\(interactive.stdout)")
        let plain = try BosunBinary.run(program: "/usr/bin/script", ["-qec", "\(BosunBinary.path) run -t --network none --state-dir \(state) \(Self.image) sh -c tty", "/dev/null"])
        #expect(plain.status == 0 && plain.stdout.contains("/dev/pts/"), "\(plain.stdout)")
        // Detached with -t, the monitor holds the pty and logs what the container writes to it.
        #expect(try BosunBinary.run(["run", "-d", "-t", "--name", "ttyd", "--network", "none", "--state-dir", state, Self.image, "sh", "-c", "tty; echo hello-tty"]).status == 0)
        #expect(try Self.eventually { try BosunBinary.run(["logs", "--state-dir", state, "ttyd"]).stdout.contains("hello-tty") })
        #expect(try BosunBinary.run(["logs", "--state-dir", state, "ttyd"]).stdout.contains("/dev/pts/"))
        #expect(try BosunBinary.run(["rm", "-f", "--state-dir", state, "ttyd"]).status == 0)
    }

    @Test("SIGINT, SIGTERM and the rest go to the container; it is removed and bosun exits with its status")
    func signalsForwarded() throws {
        let (dir, state) = try Self.state()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (signal, code) in [(SIGINT, Int32(130)), (SIGTERM, 143), (SIGHUP, 129), (SIGUSR1, 138)] {
            let run = try Self.start(["run", "--init", "--name", "sig", "--network", "none", "--state-dir", state, Self.image, "sleep", "1000"])
            #expect(try Self.eventually { try Self.names(state) == ["sig"] })
            usleep(200_000)
            kill(run.processIdentifier, signal)
            run.waitUntilExit()
            #expect(run.terminationStatus == code, "signal \(signal)")
            #expect(try Self.names(state).isEmpty)
        }
    }

    @Test("killed bosun: the container stays visible and removable, and its monitor removes it when it exits")
    func neverInvisible() throws {
        let (dir, state) = try Self.state()
        defer {
            _ = try? BosunBinary.run(["rm", "-f", "--state-dir", state, "orphan"])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let run = try Self.start(["run", "--name", "orphan", "--network", "none", "--state-dir", state, Self.image, "sleep", "2"])
        #expect(try Self.eventually { try Self.names(state) == ["orphan"] })
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(try Self.names(state) == ["orphan"], "listed by ps -a while it runs")
        #expect(try Self.eventually(15) { try Self.names(state).isEmpty }, "removed by its monitor once it exited")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: state + "/containers")) ?? []).isEmpty)

        // rm -f of a foreground container ends `bosun run` as Docker's client ends: 137.
        let second = try Self.start(["run", "--name", "removed", "--network", "none", "--state-dir", state, Self.image, "sleep", "1000"])
        #expect(try Self.eventually { try Self.names(state) == ["removed"] })
        #expect(try BosunBinary.run(["rm", "-f", "--state-dir", state, "removed"]).status == 0)
        second.waitUntilExit()
        #expect(second.terminationStatus == 137)
    }
}
