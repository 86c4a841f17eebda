import Foundation
import Glibc
import Testing
import BosunTestSupport

/// Restart policies after a host reboot, end to end as root: an agent converges six services on a bosun network
/// (one publishing a port and keeping data in a named volume), one is stopped by hand, another has exited
/// cleanly; then the agent is SIGKILLed and the host "rebooted" (`SimulatedReboot`: processes, mounts, cgroups,
/// links, the nftables table and /run gone; the state directory kept) and the agent started again. Docker's rules
/// must hold: `always` and `unless-stopped` come back (not the one stopped by hand), `on-failure` comes back when
/// its last exit was a failure — one running at the power cut ended without an exit status, which Docker records
/// as 255 — and not after a clean exit, `no` stays down; the network, the published port and the volume's data
/// work again, `bosun status` shows it, and the journal verifies.
@Suite("bosun agent: restart policies after a simulated host reboot", .serialized,
       .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct AgentRebootTests {
    static func compose(project: String, port: Int) -> String {
        func service(_ name: String, restart: String, command: String = #"["sleep", "1000"]"#, extra: String = "") -> String {
            """
              \(name):
                image: localhost:5000/bosun/busybox:1.35
                command: \(command)
                restart: \(restart)
                networks: [front]
                stop_grace_period: 1s
            \(extra)
            """
        }
        // web writes a token into its volume on its first run only and serves it on the published port.
        let web = #"["sh", "-c", "test -s /www/index.html || cat /proc/sys/kernel/random/uuid > /www/index.html; exec httpd -f -p 80 -h /www"]"#
        return """
        name: \(project)
        services:
        \(service("always", restart: "always"))
        \(service("web", restart: "unless-stopped", command: web, extra: "    ports: [\"127.0.0.1:\(port):80\"]\n    volumes: [site:/www]"))
        \(service("parked", restart: "unless-stopped"))
        \(service("retry", restart: "on-failure"))
        \(service("once", restart: "\"no\""))
        \(service("done", restart: "on-failure", command: #"["true"]"#))
        networks:
          front: {}
        volumes:
          site: {}
        """
    }

    /// A port on 127.0.0.1 nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "bind a port on 127.0.0.1")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The body served on 127.0.0.1:`port`, or nil when nothing answers.
    static func fetch(port: Int) -> String? {
        guard let reply = try? HTTPClient.exchange(port: port, bytes: Array("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)),
              reply.hasPrefix("HTTP/1.") && reply.contains(" 200 "), let body = reply.components(separatedBy: "\r\n\r\n").last else { return nil }
        let token = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    static func entry(_ agent: AgentFixture, _ name: String) throws -> [String: Any]? {
        (try agent.status()["containers"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }

    @Test("after a simulated reboot the agent brings back always, unless-stopped and a failed on-failure; the rest stays down; port, network and volume work")
    func rebootRestoresPolicies() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        // The control socket in a directory standing for /run, which the reboot empties.
        agent.socket = agent.dir + "/run/agent.sock"
        let port = try Self.freePort()
        try agent.commit(Self.compose(project: agent.project, port: port), message: "six services")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        var token: String?
        try agent.eventually("the web service answering on 127.0.0.1:\(port)") {
            token = Self.fetch(port: port)
            return token != nil
        }
        let volumeFile = agent.state + "/volumes/\(agent.project)_site/_data/index.html"
        #expect(try String(contentsOfFile: volumeFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == token)

        // done exits 0 (on-failure leaves it); parked is stopped by hand (unless-stopped leaves it).
        try agent.waitForLog("event=exit", "container=\(agent.container("done"))", "exit_code=0", "action=left")
        let parked = agent.container("parked")
        let stopped = try BosunBinary.run(["stop", "--state-dir", agent.state, parked])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        try agent.eventually("parked left stopped on request") {
            try (Self.entry(agent, parked)?["left_stopped"] as? String)?.contains("stopped on request") == true
        }
        let up = ["always", "web", "retry", "once"]
        for service in up { #expect(try agent.running(service), "\(service) runs before the reboot") }
        let pidsBefore = try up.map { try #require(try agent.pid($0)) }

        // The power cut and the boot.
        #expect(agent.stop(signal: SIGKILL) == SIGKILL)
        let reboot = SimulatedReboot(state: agent.state, runDirectory: agent.dir + "/run")
        // What it takes away is there to take: the bridge and the veths, the six overlays, the cgroups.
        #expect(reboot.links.count >= 2 && reboot.mounts.count == 6 && !reboot.cgroups.isEmpty, "\(reboot.links) \(reboot.mounts)")
        let left = try reboot.perform()
        #expect(left.isEmpty, "the simulated reboot left \(left)")
        for pid in pidsBefore { #expect(!SimulatedReboot.alive(pid: Int32(pid), startTime: nil), "pid \(pid) survived the reboot") }
        #expect(Self.fetch(port: port) == nil)
        let exitRecords = ["always", "web", "retry", "once"].filter { FileManager.default.fileExists(atPath: agent.state + "/containers/\(agent.container($0))/exit.json") }
        #expect(exitRecords.isEmpty, "a power cut leaves no exit record: \(exitRecords)")

        // The agent starts again on the same state directory.
        try agent.start()
        try agent.eventually("the startup convergence after the reboot") { agent.logLines("trigger=startup").count == 2 }
        #expect(agent.logLines("trigger=startup").last?.contains("outcome=converged") == true, "\(agent.log)")
        for service in ["always", "web", "retry"] {
            try agent.eventually("\(service) running again") { try agent.running(service) }
        }
        try agent.eventually("the web service answering again with the volume's data") { Self.fetch(port: port) == token }
        let forwarding = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8)
        #expect(forwarding == "1\n", "bosun turns forwarding on again for its bridge (the boot left it 0)")
        // Held down, for several supervision ticks: the one stopped by hand, restart "no", on-failure after exit 0.
        usleep(2_500_000)
        for service in ["parked", "once", "done"] { #expect(try !agent.running(service), "\(service) must stay down after the reboot") }
        #expect(try agent.running("always") && agent.running("web") && agent.running("retry"))
        let reasons = try ["parked", "once", "done"].map { try (Self.entry(agent, agent.container($0))?["left_stopped"] as? String) ?? "" }
        #expect(reasons[0].contains("stopped by hand"), "\(reasons)")
        #expect(reasons[1].contains("restart: no") && reasons[2].contains("on-failure"), "\(reasons)")

        // Containers on the network reach each other by name again.
        let peer = try BosunBinary.run(["exec", "--state-dir", agent.state, agent.container("always"), "busybox", "timeout", "5", "wget", "-q", "-O", "-", "http://web/"])
        #expect(peer.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == token, "\(peer.stdout)\(peer.stderr)")

        // bosun status shows them; once has no exit record (the power cut took its monitor) and bosun invents none.
        let status = try BosunBinary.run(["status", "--json", "--no-probe", "--state-dir", agent.state, "--socket", agent.socket])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "\(status.stdout)\(status.stderr)")
        let projects = report["projects"] as? [[String: Any]] ?? []
        let entries = projects.first { $0["name"] as? String == agent.project }?["containers"] as? [[String: Any]] ?? []
        let states = Dictionary(entries.compactMap { entry in (entry["service"] as? String).map { ($0, entry["state"] as? String ?? "") } }) { a, _ in a }
        #expect(states == ["always": "running", "web": "running", "retry": "running", "parked": "exited", "once": "unknown", "done": "exited"],
                "\(status.stdout)")
        #expect(agent.stop(signal: SIGTERM) == 0)
        let verify = try BosunBinary.run(["journal", "verify", "--state-dir", agent.state])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
