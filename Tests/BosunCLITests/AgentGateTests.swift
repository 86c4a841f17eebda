import BosunTestSupport
import Foundation
import Testing

/// The agent and the health gate, on real containers: a commit whose new container dies within its monitor
/// ends failed, logged per container and journaled; a fixed commit converges.
@Suite("bosun agent: health gate (root)")
struct AgentGateTests {
    static func compose(project: String, command: String) -> String {
        """
        name: \(project)
        x-bosun: {update_config: {monitor: 2s}}
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: \(command)
            network_mode: none
            restart: "no"
            stop_grace_period: 1s
        """
    }

    @Test("a commit whose container dies within its monitor is rolled back and quarantined, left alone for 10 polls; a fixed commit converges")
    func gateFailure() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        try agent.commit(Self.compose(project: project, command: #"["sleep", "1000"]"#), message: "steady")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")

        try agent.commit(Self.compose(project: project, command: #"["sh", "-c", "sleep 1; exit 3"]"#), message: "dies")
        try agent.waitForLog("event=gate", "outcome=failed", "resource=\(project)/web", "check=monitor")
        try agent.waitForLog("event=quarantine", "project=\(project)")
        try agent.waitForLog("event=rollback", "outcome=rolled-back", "projects=\(project)")
        try agent.waitForLog("event=convergence", "outcome=rolled-back", "health gate failed: \(project)/web (monitor)")
        let gates = agent.journalRecords(kind: "gate").compactMap { $0["body"] as? [String: Any] }
        #expect(gates.count == 3, "one gate record per convergence that created a container: steady, dies, the rollback")
        let failed = (gates.dropLast().last?["results"] as? [[String: Any]])?.first
        #expect(failed?["passed"] as? Bool == false && failed?["reason"] as? String == "it exited with code 3 within its 2s monitor")
        #expect((gates.last?["results"] as? [[String: Any]])?.first?["passed"] as? Bool == true)
        #expect(agent.journalRecords(kind: "quarantine").count == 1 && agent.journalRecords(kind: "rollback").count == 1)
        try agent.eventually("web runs the steady command again") { try agent.running("web") }
        let pid = try agent.pid("web")

        // Left alone: ten polls (and drift checks, enforcing) later, nothing was converged again.
        let begins = agent.journalRecords(kind: "begin").count
        Thread.sleep(forTimeInterval: 10)
        #expect(agent.journalRecords(kind: "begin").count == begins)
        #expect(try agent.pid("web") == pid && agent.running("web"))
        let status = try BosunBinary.run(["status", "--state-dir", agent.state, "--no-probe"])
        #expect(status.stdout.contains("QUARANTINED commit"), "\(status.stdout)")

        try agent.commit(Self.compose(project: project, command: #"["sleep", "2000"]"#), message: "fixed")
        try agent.waitForLog("event=release", "project=\(project)", "cause=changed")
        try agent.eventually("the fixed commit converged") { agent.logLines("event=convergence", "outcome=converged").count == 2 }
        try agent.eventually("web running again") { try agent.running("web") }
        #expect(agent.journalRecords(kind: "release").count == 1)
    }

    @Test("the agent SIGKILLed in the middle of a gate: on restart the commit is gated again, fails and is rolled back")
    func killedInGate() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        let steady = "name: \(project)\nx-bosun: {update_config: {monitor: 1s}}\n"
            + "services:\n  web: {image: localhost:5000/bosun/busybox:1.35, command: [sleep, \"1000\"], network_mode: none, stop_grace_period: 1s}\n"
        try agent.commit(steady, message: "steady")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")

        // A long monitor: the agent is killed while it watches the new container, which dies a little later.
        try agent.commit(Self.compose(project: project, command: #"["sh", "-c", "sleep 4; exit 3"]"#)
            .replacingOccurrences(of: "monitor: 2s", with: "monitor: 60s"), message: "dies later")
        try agent.eventually("the new container is in its gate") {
            agent.journalRecords(kind: "begin").count == 2 && agent.journalRecords(kind: "end").count == 1 && (try? agent.running("web")) == true
        }
        #expect(agent.stop(signal: SIGKILL) == SIGKILL)
        try agent.start()
        try agent.waitForLog("event=interrupted", "gates=\(project)/web")
        try agent.waitForLog("event=rollback", "outcome=rolled-back", "projects=\(project)")
        let ends = agent.journalRecords(kind: "end").compactMap { ($0["body"] as? [String: Any])?["outcome"] as? String }
        #expect(ends == ["converged", "interrupted", "failed", "rolled-back"], "\(ends)")
        try agent.eventually("web runs the steady command again") { try agent.running("web") }
    }
}
