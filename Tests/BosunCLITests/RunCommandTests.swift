import Foundation
import Testing
import BosunTestSupport

@Suite("bosun run", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RunCommandTests {
    @Test("runs a command from an imported image with Docker's isolation, passes its status through, leaves nothing behind")
    func run() throws {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ImageCommandTests.layout(in: dir)
        let state = dir + "/state"
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let image = "localhost:5000/bosun/busybox:1.35"

        let first = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, "--name", "t1", image, "/bin/busybox", "sh", "-c",
                                         "echo $(/bin/busybox hostname); /bin/busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; exit 7"])
        #expect(first.status == 7, "\(first.stderr)")
        #expect(first.stdout == "t1\nNoNewPrivs:\t0\nSeccomp:\t2\n", "no_new_privs is off unless asked, as in Docker")

        let user = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, "-e", "GREETING=hi", "-u", "1000:1000", "--read-only", image,
                                        "/bin/busybox", "sh", "-c", "echo $GREETING $(/bin/busybox id -u); /bin/busybox touch /x 2>&1"])
        #expect(user.status == 1)
        #expect(user.stdout == "hi 1000\ntouch: /x: Read-only file system\n")

        let missing = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, image, "/nonexistent"])
        #expect(missing.status == 125)
        #expect(missing.stderr.contains("exec `/nonexistent`: no such file or directory"))

        let oom = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, "--memory", "16m", image, "/bin/busybox", "sh", "-c",
                                       "x=$(/bin/busybox head -c 60000000 /dev/zero | /bin/busybox tr '\\0' a); echo survived"])
        #expect(oom.status == 137 && !oom.stdout.contains("survived"))
        let pids = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, "--pids-limit", "4", image, "/bin/busybox", "sh", "-c",
                                        "for i in 1 2 3 4 5 6; do /bin/busybox sleep 1 & done; wait"])
        #expect(pids.stderr.contains("can't fork"))

        #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/containers").isEmpty)
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(dir))
    }
}

extension RunCommandTests {
    @Test("a missing image is pulled; an unreachable registry is a clear error with exit 125, not a crash")
    func unreachableRegistry() throws {
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = try BosunBinary.run(["run", "--network", "none", "--state-dir", dir + "/state", "127.0.0.1:9/bosun/absent:1", "/bin/true"])
        #expect(outcome.status == 125, "\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stderr.contains("pull 127.0.0.1:9/bosun/absent:1"), "\(outcome.stderr)")
    }
}

@Suite("bosun run networking", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct RunNetworkingTests {
    // Bridge attachment itself is tested in BosunNetworkTests: bosun's nftables table is one per host, so a
    // second network state directory in a parallel test would rewrite the network tests' rules.
    @Test("--network none brings loopback up; -p needs a bridge network")
    func loopback() throws {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let dir = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = dir + "/state"
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let image = "localhost:5000/bosun/busybox:1.35"
        let loopback = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, image, "/bin/busybox", "sh", "-c", "/bin/busybox ip -o link show lo"])
        #expect(loopback.status == 0, "\(loopback.stderr)")
        #expect(loopback.stdout.contains("UP"))
        let noBridge = try BosunBinary.run(["run", "--network", "none", "--state-dir", state, "-p", "8080:80", image, "/bin/true"])
        #expect(noBridge.status == 2 && noBridge.stderr.contains("-p needs a bridge network"))
    }

    @Test("without --network a container joins the default bridge, created on first use and kept, so -p just works")
    func defaultBridge() throws {
        try #require(getuid() == 0, "bosun run needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let dir = try BosunBinary.temporaryDirectory()
        let state = dir + "/state"
        defer {
            _ = try? BosunBinary.run(["rm", "-f", "--state-dir", state, "web"])
            _ = try? BosunBinary.run(["network", "rm", "bridge", "--state-dir", state])
            try? FileManager.default.removeItem(atPath: dir)
        }
        try ImageCommandTests.layout(in: dir)
        #expect(try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state]).status == 0)
        let image = "localhost:5000/bosun/busybox:1.35"
        let started = try BosunBinary.run(["run", "-d", "--name", "web", "--state-dir", state, "-p", "127.0.0.1:18082:8080", image,
                                           "/bin/busybox", "sh", "-c", "mkdir -p /tmp/w && echo default-bridge > /tmp/w/index.html && exec /bin/busybox httpd -f -p 8080 -h /tmp/w"])
        #expect(started.status == 0, "\(started.stderr)")
        var body = ""
        for _ in 0..<30 where body.isEmpty {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-fsS", "--max-time", "2", "http://127.0.0.1:18082/"]
            let out = Pipe()
            curl.standardOutput = out
            curl.standardError = FileHandle.nullDevice
            try curl.run()
            curl.waitUntilExit()
            body = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if body.isEmpty { usleep(100_000) }
        }
        #expect(body == "default-bridge\n")
        let networks = try BosunBinary.run(["network", "ls", "--state-dir", state]).stdout
        #expect(networks.contains("bridge"), "\(networks)")
        // A foreground container on the default bridge reaches the detached one by its name.
        let peer = try BosunBinary.run(["run", "--state-dir", state, image, "/bin/busybox", "sh", "-c", "/bin/busybox wget -q -O - http://web:8080/"])
        #expect(peer.stdout == "default-bridge\n", "\(peer.stderr)")
    }
}
