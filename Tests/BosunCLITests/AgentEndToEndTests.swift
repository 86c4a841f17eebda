import Foundation
import Glibc
import Testing
import BosunTestSupport

/// Issue 9's end-to-end tests, as root on the real kernel: the built `bosun agent` converges a local git
/// repository continuously — polling, a signed webhook, restart policies, drift in enforce and observe mode,
/// SIGKILL in the middle of a convergence, SIGTERM leaving containers running.
@Suite("bosun agent end to end", .serialized, .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct AgentEndToEndTests {
    static func compose(project: String, version: String, extra: String = "") -> String {
        """
        name: \(project)
        services:
          web:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "echo version=\(version); exec sleep 1000"]
            restart: always
            mem_limit: 64m
            stop_grace_period: 1s
          once:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            restart: "no"
            stop_grace_period: 1s
        \(extra)
        """
    }

    @Test("commit A at start, B by polling, C by a signed webhook (a wrongly signed one is refused); restart policies; sync; SIGTERM keeps containers")
    func pollWebhookRestarts() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        let a = try agent.commit(Self.compose(project: project, version: "a"), message: "A")
        try agent.start()
        try agent.waitForLog("trigger=startup", "commit=\(a.prefix(12))", "outcome=converged")
        #expect(try agent.running("web") && agent.running("once"))

        // B by polling.
        let b = try agent.commit(Self.compose(project: project, version: "b"), message: "B")
        try agent.waitForLog("trigger=poll", "commit=\(b.prefix(12))", "outcome=converged")
        #expect(try BosunBinary.run(["logs", "--state-dir", agent.state, agent.container("web")]).stdout.contains("version=b"))

        // restart: always — the init killed by hand comes back (a new process); restart: "no" stays down, reported.
        let webPid = try #require(try agent.pid("web"))
        let oncePid = try #require(try agent.pid("once"))
        kill(pid_t(webPid), SIGKILL)
        kill(pid_t(oncePid), SIGKILL)
        try agent.waitForLog("event=restarted", "container=\(agent.container("web"))")
        try agent.eventually("web running again") { try agent.running("web") && agent.pid("web") != webPid }
        try agent.waitForLog("event=exit", "container=\(agent.container("once"))", "action=left")
        try agent.eventually("once reported in status") {
            let containers = try agent.status()["containers"] as? [[String: Any]] ?? []
            return containers.contains { $0["name"] as? String == agent.container("once") && ($0["left_stopped"] as? String)?.contains("restart policy is no") == true }
        }
        #expect(try !agent.running("once"))
        let restarts = agent.journalRecords(kind: "restart").compactMap { $0["body"] as? [String: Any] }
        #expect(restarts.contains { $0["container"] as? String == agent.container("web") && $0["action"] as? String == "restarted" })
        #expect(restarts.contains { $0["container"] as? String == agent.container("once") && $0["action"] as? String == "left" })
        // `bosun status` takes restarts from the running agent.
        let status = try BosunBinary.run(["status", "--json", "--state-dir", agent.state, "--socket", agent.socket])
        #expect(status.stdout.contains("\"health_source\":\"agent\""), "\(status.stdout)")
        #expect(status.stdout.contains("\"name\":\"\(agent.container("web"))\""), "\(status.stdout)")
        #expect(!status.stdout.contains("\"restarts\":null"), "\(status.stdout)")

        // bosun sync: a convergence now, its outcome printed.
        let sync = try BosunBinary.run(["sync", "--socket", agent.socket])
        #expect(sync.status == 0, "\(sync.stdout)\n\(sync.stderr)")
        #expect(sync.stdout.hasPrefix("no-change \(b.prefix(12))"), "\(sync.stdout)")
        #expect(try !agent.running("once"), "sync must not start a container its restart policy leaves stopped")

        // SIGTERM: the agent exits 0 and containers keep running.
        let runningPid = try agent.pid("web")
        #expect(agent.stop(signal: SIGTERM) == 0)
        #expect(agent.log.contains("event=stop reason=requested"))
        #expect(try agent.running("web") && agent.pid("web") == runningPid)

        // Restarted with a webhook and a long interval: restarting the agent restarts no container.
        try agent.start(interval: "1h", webhook: true)
        let port = try agent.webhookPort()
        try agent.eventually("the startup convergence after the restart") { agent.logLines("trigger=startup").count == 2 }
        #expect(try agent.pid("web") == runningPid)
        let c = try agent.commit(Self.compose(project: project, version: "c"), message: "C")
        #expect(try agent.sendWebhook(port: port, secret: "wrong", delivery: "bad-1") == 401)
        #expect(try agent.sendWebhook(port: port, secret: agent.secret, delivery: "good-1") == 202)
        #expect(try agent.sendWebhook(port: port, secret: agent.secret, delivery: "good-1") == 409, "a replayed delivery is refused")
        try agent.waitForLog("trigger=webhook", "commit=\(c.prefix(12))", "outcome=converged")
        #expect(agent.logLines("event=convergence", "trigger=webhook").count == 1, "the wrongly signed and replayed deliveries triggered nothing")
        #expect(agent.logLines("event=webhook", "outcome=refused").count == 2)
        #expect(try BosunBinary.run(["logs", "--state-dir", agent.state, agent.container("web")]).stdout.contains("version=c"))
        #expect(agent.stop(signal: SIGTERM) == 0)
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", agent.state]).status == 0)
    }

    @Test("a memory limit changed by hand is corrected in enforce mode and only reported in observe mode")
    func memoryDrift() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        try agent.commit(Self.compose(project: project, version: "a", extra: "x-bosun: {drift: enforce}"), message: "A")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        let limit = "\(64 << 20)"
        #expect(agent.memoryLimit("web") == limit)
        let webPid = try agent.pid("web")

        try "\(32 << 20)".write(toFile: agent.memoryLimitFile("web"), atomically: false, encoding: .utf8)
        try agent.waitForLog("event=drift", "resource=\(project)/web", "field=resources.memory", "mode=enforce", "action=corrected")
        #expect(agent.memoryLimit("web") == limit)
        #expect(try agent.pid("web") == webPid, "corrected in place, not restarted")
        let drifts = agent.journalRecords(kind: "begin").compactMap { $0["body"] as? [String: Any] }.filter { $0["trigger"] as? String == "drift" }
        #expect(drifts.count == 1)

        let b = try agent.commit(Self.compose(project: project, version: "a", extra: "x-bosun: {drift: observe}"), message: "observe")
        try agent.eventually("commit B read") { (try agent.status()["source"] as? [String: Any])?["commit"] as? String == b }
        try "\(32 << 20)".write(toFile: agent.memoryLimitFile("web"), atomically: false, encoding: .utf8)
        try agent.waitForLog("event=drift", "resource=\(project)/web", "field=resources.memory", "mode=observe", "action=reported")
        try agent.eventually("the finding in status") {
            let findings = (try agent.status()["drift"] as? [String: Any])?["findings"] as? [[String: Any]] ?? []
            return findings.contains { $0["field"] as? String == "resources.memory" && $0["actual"] as? String == "\(32 << 20)" && $0["mode"] as? String == "observe" }
        }
        #expect(agent.memoryLimit("web") == "\(32 << 20)", "observe mode touches nothing")
        let notes = agent.journalRecords(kind: "drift").compactMap { $0["body"] as? [String: Any] }
        #expect(notes.contains { $0["mode"] as? String == "observe" })
        #expect(agent.journalRecords(kind: "begin").filter { ($0["body"] as? [String: Any])?["trigger"] as? String == "drift" }.count == 1)
        #expect(agent.stop() == 0)
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", agent.state]).status == 0)
    }

    static func slowCompose(project: String, delay: Int, generation: String) -> String {
        """
        name: \(project)
        services:
          db:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "sleep $$DELAY; touch /tmp/ready; exec sleep 1000"]
            environment: {DELAY: "\(delay)"}
            healthcheck: {test: ["CMD-SHELL", "test -f /tmp/ready"], interval: 1s, start_interval: 1s, retries: 60}
            stop_grace_period: 1s
          app:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sh", "-c", "echo generation=$$GEN; exec sleep 1000"]
            environment: {GEN: \(generation)}
            depends_on: {db: {condition: service_healthy}}
            stop_grace_period: 1s
          cache:
            image: localhost:5000/bosun/busybox:1.35
            command: ["sleep", "1000"]
            stop_grace_period: 1s
        """
    }

    @Test("SIGKILL in the middle of a convergence: on restart it is journaled interrupted and resumed; nothing else restarts; the journal verifies")
    func killedMidConvergence() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        defer { agent.close() }
        let project = agent.project
        try agent.commit(Self.slowCompose(project: project, delay: 0, generation: "a"), message: "A")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        let cachePid = try #require(try agent.pid("cache"))
        let dbPid = try #require(try agent.pid("db"))

        // B recreates db (healthy only after 6 s) and app, which waits for db to be healthy: kill the agent then.
        let b = try agent.commit(Self.slowCompose(project: project, delay: 6, generation: "b"), message: "B")
        try agent.eventually("the convergence of B under way, db recreated") {
            let last = agent.journalRecords(kind: "begin").last?["body"] as? [String: Any]
            let source = last?["source"] as? [String: Any]
            let currentDb = try agent.pid("db")
            let open = agent.journalRecords(kind: "end").count < agent.journalRecords(kind: "begin").count
            return source?["commit_id"] as? String == b && currentDb != nil && currentDb != dbPid && open
        }
        let recreatedDbPid = try agent.pid("db")
        #expect(agent.stop(signal: SIGKILL) == SIGKILL)
        let interruptedSeq = try #require(agent.journalRecords(kind: "begin").last?["seq"] as? Int)

        try agent.start()
        try agent.waitForLog("event=interrupted", "begin_seq=\(interruptedSeq)")
        try agent.eventually("the startup convergence after the kill") {
            agent.logLines("trigger=startup", "commit=\(b.prefix(12))", "outcome=converged").count == 1
        }
        let ends = agent.journalRecords(kind: "end").compactMap { $0["body"] as? [String: Any] }
        #expect(ends.contains { $0["begin_seq"] as? Int == interruptedSeq && $0["outcome"] as? String == "interrupted" })
        #expect(try agent.pid("cache") == cachePid, "cache was never part of the change")
        #expect(try agent.pid("db") == recreatedDbPid, "db, recreated before the kill, is not restarted by the resumed convergence")
        #expect(try agent.running("app"))
        #expect(try BosunBinary.run(["logs", "--state-dir", agent.state, agent.container("app")]).stdout.contains("generation=b"))
        #expect(agent.stop(signal: SIGTERM) == 0)
        let verify = try BosunBinary.run(["journal", "verify", "--state-dir", agent.state])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(try BosunBinary.run(["history", "--state-dir", agent.state]).stdout.contains("interrupted"))
    }
}
