import BosunTestSupport
import Foundation
import Testing

/// Start-first updates on real containers: a client requesting every 10 ms through the published port — from
/// loopback and from a neighbour network namespace routed through this host — sees no failed request while
/// the service is updated, while a new version fails its gate (the old one serves on), and while the next
/// version replaces it.
@Suite("start-first updates (root)", .serialized, .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct StartFirstEndToEndTests {
    /// A namespace with a veth to the host (172.31.252.0/24), as a neighbour machine on the LAN would be.
    struct Neighbour {
        /// `tag` (one letter) and `subnet` (the third byte of 172.31.x.0/24) set apart the neighbours of tests that run at once.
        let tag: String
        let subnet: Int
        var name: String { "bsf\(tag)\(getpid() % 100_000)" }
        var path: String { "/run/netns/\(name)" }
        var hostLink: String { "bsh\(tag)\(getpid() % 100_000)" }
        var hostAddress: String { "172.31.\(subnet).1" }

        func create() throws {
            let script = """
                ip netns add \(name) && ip link add \(hostLink) type veth peer name eth0 netns \(name) && \
                ip addr add \(hostAddress)/24 dev \(hostLink) && ip link set \(hostLink) up && \
                ip -n \(name) addr add 172.31.\(subnet).2/24 dev eth0 && ip -n \(name) link set eth0 up && ip -n \(name) link set lo up && \
                ip -n \(name) route add default via \(hostAddress)
                """
            let result = try BosunBinary.run(program: "/bin/sh", ["-c", script])
            try #require(result.status == 0, "\(result.stdout)\(result.stderr)")
        }

        func remove() {
            _ = try? BosunBinary.run(program: "/bin/sh", ["-c", "ip link del \(hostLink) 2>/dev/null; ip netns del \(name) 2>/dev/null"])
        }
    }

    static let port = 18_000 + Int(getpid() % 1000)

    /// A web service answering `version` on port 80 (`listen`: another port, which its health check does not probe).
    static func compose(_ project: String, version: String, listen: Int = 80, port: Int = port) -> String {
        """
        name: \(project)
        x-bosun: {update_config: {monitor: 2s}}
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "mkdir -p /www && echo \(version) > /www/index.html && exec httpd -f -p \(listen) -h /www"]
            environment: {VERSION: \(version)}
            ports: ["\(port):80"]
            healthcheck: {test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, retries: 3, timeout: 2s}
            stop_grace_period: 2s
        """
    }

    /// Applies `version` while both loops request; returns what each loop saw during the apply.
    static func apply(_ fixture: OneServiceProject, _ text: String, loops: () -> [RequestLoop]) throws -> (status: Int32, output: String, samples: [[RequestLoop.Sample]]) {
        try text.write(toFile: fixture.manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        let running = loops()
        usleep(200_000)
        let result = try BosunBinary.run(["apply", "--path", fixture.manifests, "--state-dir", fixture.state])
        usleep(300_000)
        return (result.status, result.stdout + result.stderr, running.map { $0.stop() })
    }

    @Test("an update, a failing version and its replacement: no failed request from loopback or a neighbour; the old version serves until the new one is healthy")
    func noFailedRequest() throws {
        try #require(getuid() == 0, "containers need root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let fixture = try OneServiceProject("sf")
        let neighbour = Neighbour(tag: "a", subnet: 252)
        defer {
            fixture.cleanUp()
            neighbour.remove()
        }
        try neighbour.create()
        let project = fixture.project
        let loops = { [RequestLoop(address: "127.0.0.1", port: Self.port),
                       RequestLoop(address: neighbour.hostAddress, port: Self.port, netns: neighbour.path)] }

        try Self.compose(project, version: "v1").write(toFile: fixture.manifests + "/compose.yaml", atomically: true, encoding: .utf8)
        let first = try BosunBinary.run(["apply", "--path", fixture.manifests, "--state-dir", fixture.state])
        try #require(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(RequestLoop.request(address: "127.0.0.1", port: Self.port).body == "v1")

        // v2: started beside v1, healthy, takes the traffic over; v1 drains and goes.
        let update = try Self.apply(fixture, Self.compose(project, version: "v2"), loops: loops)
        #expect(update.status == 0, "\(update.output)")
        for (index, samples) in update.samples.enumerated() {
            let failed = samples.filter { !$0.ok }
            #expect(failed.isEmpty, "client \(index): \(failed.count) of \(samples.count) failed: \(failed.prefix(3).map(\.body))")
            #expect(samples.first?.body == "v1" && samples.last?.body == "v2", "client \(index): \(samples.first?.body ?? "-") … \(samples.last?.body ?? "-")")
            // Once v2 answered, v1 never did again: one switch, not two versions serving in turn.
            if let switched = samples.firstIndex(where: { $0.body == "v2" }) {
                #expect(!samples[switched...].contains { $0.body == "v1" }, "client \(index)")
            }
        }
        let journal = try FileManager.default.contentsOfDirectory(atPath: fixture.state + "/journal").filter { $0.hasPrefix("journal-") }
            .map { try String(contentsOfFile: fixture.state + "/journal/" + $0, encoding: .utf8) }.joined()
        #expect(journal.contains("\"take_over\""), "the gate record says when the traffic moved and how the old one drained")
        #expect(!(try BosunBinary.run(["ps", "-a", "--state-dir", fixture.state]).stdout.contains("(kept)")), "the gate passed: v1 is gone")

        // v3 never becomes healthy (it serves another port): its gate fails, there is no earlier commit to roll
        // back to (a directory), and v2 serves on throughout — the new container never took the traffic.
        let bad = try Self.apply(fixture, Self.compose(project, version: "v3", listen: 81), loops: loops)
        #expect(bad.status != 0, "\(bad.output)")
        for (index, samples) in bad.samples.enumerated() {
            #expect(samples.allSatisfy { $0.ok && $0.body == "v2" }, "client \(index): \(Set(samples.map(\.body)))")
        }
        let ps = try BosunBinary.run(["ps", "-a", "--state-dir", fixture.state]).stdout
        #expect(ps.contains("\(project)-web-1 (kept)"), "\(ps)")

        // v4 replaces what serves (v2); the container of v3, which never served, is removed first.
        let fixed = try Self.apply(fixture, Self.compose(project, version: "v4"), loops: loops)
        #expect(fixed.status == 0, "\(fixed.output)")
        for (index, samples) in fixed.samples.enumerated() {
            let failed = samples.filter { !$0.ok }
            #expect(failed.isEmpty, "client \(index): \(failed.count) of \(samples.count) failed: \(failed.prefix(3).map(\.body))")
            #expect(samples.first?.body == "v2" && samples.last?.body == "v4", "client \(index)")
            #expect(!samples.contains { $0.body == "v3" }, "client \(index)")
        }
        let after = try BosunBinary.run(["ps", "-a", "--state-dir", fixture.state]).stdout
        #expect(!after.contains("(kept)") && after.split(separator: "\n").count == 2, "\(after)")
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", fixture.state]).status == 0)
    }
}
