import Foundation
import Glibc
import Testing
import BosunTestSupport

/// Issue 9's remainder, as root with real containers: `bosun start` through the agent (an unless-stopped
/// container stopped by hand comes back, and its policy applies again), restart counts kept across an agent
/// restart, `logs` through the control socket, `bosun start` without an agent, and CPU and pids limits changed by
/// hand in the cgroup corrected (enforce) or only reported (observe).
@Suite("bosun agent: start, restart counts, logs, CPU and pids drift", .serialized,
       .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct AgentStartTests {
    static func compose(project: String, extra: String = "") -> String {
        """
        name: \(project)
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "echo up; exec sleep 1000"]
            restart: unless-stopped
            cpus: 0.5
            pids_limit: 100
            stop_grace_period: 1s
        \(extra)
        """
    }

    static func entry(_ agent: AgentFixture, _ name: String) throws -> [String: Any]? {
        (try agent.status()["containers"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }

    @Test("bosun stop holds an unless-stopped container down; bosun start brings it back through the agent; restart counts survive an agent restart; logs through the socket")
    func startThroughAgent() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        try agent.commit(Self.compose(project: agent.project), message: "A")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        let web = agent.container("web")

        // A crash first: the policy restarts it and counts it.
        let firstPid = try #require(try agent.pid("web"))
        kill(pid_t(firstPid), SIGKILL)
        try agent.waitForLog("event=restarted", "container=\(web)")
        try agent.eventually("one restart counted") { try Self.entry(agent, web)?["restarts"] as? Int == 1 && agent.running("web") }

        // bosun stop: left stopped, on request, for several supervision ticks.
        let stopped = try BosunBinary.run(["stop", "--state-dir", agent.state, web])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        try agent.eventually("left stopped on request") { try (Self.entry(agent, web)?["left_stopped"] as? String)?.contains("stopped on request") == true }
        usleep(2_500_000)
        #expect(try !agent.running("web"), "unless-stopped after bosun stop stays stopped")

        // bosun start goes through the agent, which stops holding it.
        let started = try BosunBinary.run(["start", "--state-dir", agent.state, "--socket", agent.socket, web])
        #expect(started.status == 0 && started.stdout == web + "\n", "\(started.stdout)\(started.stderr)")
        try agent.waitForLog("event=started", "container=\(web)", "by=request")
        #expect(try agent.running("web"))
        try agent.eventually("no longer held, counting afresh (as docker start does)") {
            let entry = try Self.entry(agent, web)
            return entry?["left_stopped"] is NSNull && entry?["state"] as? String == "running" && entry?["restarts"] as? Int == 0
        }
        let logs = try BosunBinary.run(["logs", "--state-dir", agent.state, web]).stdout
        #expect(logs.components(separatedBy: "up\n").count - 1 == 3, "one line per start: \(logs)")
        let again = try BosunBinary.run(["start", "--state-dir", agent.state, "--socket", agent.socket, web])
        #expect(again.status == 0 && again.stdout == web + "\n", "already running is not an error")

        // Its restart policy applies again: a crash is restarted.
        let startedPid = try #require(try agent.pid("web"))
        kill(pid_t(startedPid), SIGKILL)
        try agent.eventually("restarted after the crash") { try agent.running("web") && agent.pid("web") != startedPid }
        try agent.eventually("one restart counted since the start") { try Self.entry(agent, web)?["restarts"] as? Int == 1 }

        // The counts survive an agent restart: saved 0600, the same in bosun status afterwards.
        let countsFile = agent.state + "/restart-counts.json"
        var info = stat()
        #expect(stat(countsFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(agent.stop(signal: SIGTERM) == 0)
        try agent.start()
        try agent.eventually("the startup convergence after the restart") { agent.logLines("trigger=startup").count == 2 }
        try agent.waitForLog("event=restart-counts", "action=restored")
        try agent.eventually("the count in status after the restart") {
            let status = try BosunBinary.run(["status", "--json", "--no-probe", "--state-dir", agent.state, "--socket", agent.socket])
            return status.stdout.contains("\"name\":\"\(web)\"") && status.stdout.contains("\"restarts\":1")
        }

        // logs through the control socket: --tail, -t, and an unknown container.
        let tail = try BosunBinary.run(["logs", "--socket", agent.socket, "--tail", "1", "-t", web])
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(tail.stdout.hasSuffix(" up\n") && tail.stdout.split(separator: "\n").count == 1 && tail.stdout.hasPrefix("20"), "\(tail.stdout)")
        let since = try BosunBinary.run(["logs", "--socket", agent.socket, "--since", "2000-01-01", web])
        #expect(since.stdout == (try BosunBinary.run(["logs", "--state-dir", agent.state, web]).stdout), "\(since.stdout)")
        let missing = try BosunBinary.run(["logs", "--socket", agent.socket, "nosuch"])
        #expect(missing.status == 1 && missing.stderr.contains("no such container"), "\(missing.stderr)")
        #expect(agent.stop(signal: SIGTERM) == 0)

        // Without an agent, bosun start starts a service container directly — its overlay mounted again when gone,
        // as after a reboot.
        #expect(try BosunBinary.run(["stop", "--state-dir", agent.state, web]).status == 0)
        #expect(umount2(agent.state + "/containers/\(web)/bundle/rootfs", Int32(MNT_DETACH)) == 0)
        let direct = try BosunBinary.run(["start", "--state-dir", agent.state, "--socket", agent.socket, web])
        #expect(direct.status == 0 && direct.stdout == web + "\n", "\(direct.stderr)")
        #expect(try agent.running("web"))
        let nosuch = try BosunBinary.run(["start", "--state-dir", agent.state, "--socket", agent.socket, "nosuch"])
        #expect(nosuch.status == 4 && nosuch.stderr.contains("nosuch"), "\(nosuch.stderr)")
    }

    static func cgroupFile(_ agent: AgentFixture, _ controller: String, _ file: String) -> String {
        "/sys/fs/cgroup/\(controller)/bosun/\(agent.container("web"))/\(file)"
    }

    static func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("CPU and pids limits changed by hand are corrected in place in enforce mode and only reported in observe mode")
    func cpuAndPidsDrift() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        try agent.commit(Self.compose(project: project, extra: "x-bosun: {drift: enforce}"), message: "A")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        let quota = Self.cgroupFile(agent, "cpu", "cpu.cfs_quota_us"), pids = Self.cgroupFile(agent, "pids", "pids.max")
        #expect(Self.read(quota) == "50000" && Self.read(pids) == "100")
        let webPid = try agent.pid("web")

        try "25000".write(toFile: quota, atomically: false, encoding: .utf8)
        try "5".write(toFile: pids, atomically: false, encoding: .utf8)
        try agent.waitForLog("event=drift", "resource=\(project)/web", "field=resources.cpus", "expected=0.5", "actual=0.25", "mode=enforce", "action=corrected")
        try agent.waitForLog("event=drift", "resource=\(project)/web", "field=resources.pids_limit", "expected=100", "actual=5", "action=corrected")
        #expect(Self.read(quota) == "50000" && Self.read(pids) == "100")
        #expect(try agent.pid("web") == webPid, "corrected in place, not restarted")

        let b = try agent.commit(Self.compose(project: project, extra: "x-bosun: {drift: observe}"), message: "observe")
        try agent.eventually("commit B read") { (try agent.status()["source"] as? [String: Any])?["commit"] as? String == b }
        try "-1".write(toFile: quota, atomically: false, encoding: .utf8)
        try "max".write(toFile: pids, atomically: false, encoding: .utf8)
        try agent.waitForLog("event=drift", "field=resources.cpus", "actual=unlimited", "mode=observe", "action=reported")
        try agent.waitForLog("event=drift", "field=resources.pids_limit", "actual=unlimited", "mode=observe", "action=reported")
        try agent.eventually("the findings in status") {
            let findings = (try agent.status()["drift"] as? [String: Any])?["findings"] as? [[String: Any]] ?? []
            return Set(findings.compactMap { $0["field"] as? String }).isSuperset(of: ["resources.cpus", "resources.pids_limit"])
        }
        #expect(Self.read(quota) == "-1" && Self.read(pids) == "max", "observe mode touches nothing")
        #expect(try agent.pid("web") == webPid)
        #expect(agent.stop() == 0)
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", agent.state]).status == 0)
    }
}
