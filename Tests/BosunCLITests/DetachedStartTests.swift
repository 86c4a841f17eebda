import Foundation
import Glibc
import Testing
import BosunTestSupport

@Suite("starting detached containers again", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct DetachedStartTests {
    @Test("bosun start runs a stopped run -d container again with its files and logs (its overlay mounted again when gone); a running one is left alone; an unknown one fails")
    func startAgain() throws {
        let fixture = try DetachedFixture()
        defer { fixture.cleanUp() }
        let name = fixture.name("again")
        try fixture.start(name, script: "if [ -f /marker ]; then echo again; else touch /marker; echo first; fi; exec /bin/busybox sleep 1000")
        let firstPid = try #require(try fixture.inspect(name)?["pid"] as? Int)
        #expect(try fixture.bosun(["stop", "-t", "1", name]).status == 0)
        #expect(try fixture.inspect(name)?["state"] as? String == "exited")
        // As after a reboot: the overlay is gone; start mounts it again on the same upper layer.
        let rootfs = fixture.state + "/containers/\(name)/bundle/rootfs"
        #expect(umount2(rootfs, Int32(MNT_DETACH)) == 0, "the overlay was mounted")

        let started = try fixture.bosun(["start", "--socket", fixture.directory + "/no-agent.sock", name])
        #expect(started.status == 0 && started.stdout == name + "\n", "\(started.stderr)")
        let object = try #require(try fixture.inspect(name))
        #expect(object["state"] as? String == "running")
        #expect(object["pid"] as? Int != firstPid)
        var logs = ""
        for _ in 0..<100 where !logs.contains("again") {
            logs = try fixture.bosun(["logs", name]).stdout
            if !logs.contains("again") { usleep(50_000) }
        }
        #expect(logs == "first\nagain\n", "the upper layer and the log are kept: \(logs)")
        let record = try String(contentsOfFile: fixture.state + "/containers/\(name)/container.json", encoding: .utf8)
        #expect(record.contains("\"phase\" : \"started\"") && !record.contains("stoppedByUser"), "the stop mark went: \(record)")

        let twice = try fixture.bosun(["start", name])
        #expect(twice.status == 0 && twice.stdout == name + "\n")
        #expect(try fixture.inspect(name)?["pid"] as? Int == object["pid"] as? Int, "already running: left alone")
        let unknown = try fixture.bosun(["start", "t-nosuch-container"])
        #expect(unknown.status == 4 && unknown.stderr.contains("t-nosuch-container") && unknown.stderr.contains("no such detached container"), "\(unknown.stderr)")
        #expect(try fixture.bosun(["stop", "-t", "1", name]).status == 0)
        #expect(try fixture.bosun(["rm", name]).status == 0)
    }

    @Test("a container on a bridge network gets its address back when started again")
    func networkAgain() throws {
        let lock = HostNetworkLock()
        defer { lock.release() }
        let fixture = try DetachedFixture()
        let network = "tn" + UUID().uuidString.prefix(6).lowercased()
        let name = fixture.name("net")
        defer {
            // The container, then its network (bridge, nftables rules), then the state directory.
            _ = try? fixture.bosun(["rm", "-f", name])
            _ = try? fixture.bosun(["network", "rm", network])
            fixture.cleanUp()
        }
        try fixture.start(name, ["--network", network], script: "exec /bin/busybox sleep 1000")
        func address() throws -> String {
            let shown = try BosunBinary.run(["exec", "--state-dir", fixture.state, name, "--", "/bin/busybox", "ip", "-4", "-o", "addr", "show", "eth0"])
            return shown.stdout.split(separator: " ").first { $0.contains("/") && $0.contains(".") }.map(String.init) ?? "none: \(shown.stdout)\(shown.stderr)"
        }
        let before = try address()
        #expect(before.contains("/"), "\(before)")
        #expect(try fixture.bosun(["stop", "-t", "1", name]).status == 0)
        let started = try fixture.bosun(["start", name])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(try address() == before)
        #expect(try fixture.bosun(["rm", "-f", name]).status == 0)
        #expect(try fixture.bosun(["network", "rm", network]).status == 0)
    }
}
