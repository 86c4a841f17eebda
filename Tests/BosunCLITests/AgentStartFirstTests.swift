import BosunTestSupport
import Foundation
import Testing

/// The agent delivering start-first updates under a 10 ms request loop (issue 20's end-to-end case): a good
/// commit, an update, a commit whose new container never becomes healthy (rolled back automatically, and left
/// alone for 10 polls), and a fixed commit — from loopback and from a neighbour namespace, no request fails.
@Suite("bosun agent: start-first under load (root)")
struct AgentStartFirstTests {
    static let port = 19_000 + Int(getpid() % 1000)

    @Test("update, failed health check rolled back, quarantine left alone, fixed commit: the request loops never fail")
    func noFailedRequestAcrossRollback() throws {
        try #require(getuid() == 0, "the agent needs root (CI runs as root)")
        let lock = HostNetworkLock()
        defer { lock.release() }
        let agent = try AgentFixture()
        let neighbour = StartFirstEndToEndTests.Neighbour(tag: "g", subnet: 251)
        defer {
            agent.close()
            neighbour.remove()
        }
        try neighbour.create()
        let project = agent.project
        func compose(_ version: String, listen: Int = 80) -> String {
            StartFirstEndToEndTests.compose(project, version: version, listen: listen, port: Self.port)
        }
        try agent.commit(compose("v1"), message: "v1")
        try agent.start()
        try agent.waitForLog("trigger=startup", "outcome=converged")
        try agent.eventually("v1 answering") { RequestLoop.request(address: "127.0.0.1", port: Self.port).body == "v1" }
        let loops = [RequestLoop(address: "127.0.0.1", port: Self.port),
                     RequestLoop(address: neighbour.hostAddress, port: Self.port, netns: neighbour.path)]
        var stopped = false
        defer { if !stopped { for loop in loops { _ = loop.stop() } } }

        try agent.commit(compose("v2"), message: "v2")
        try agent.eventually("v2 answering") { loops.allSatisfy { $0.soFar.last?.body == "v2" } }
        try agent.waitForLog("event=convergence", "outcome=converged", "trigger=poll")

        // v3 listens on another port than its health check probes: unhealthy, rolled back to v2, which served throughout.
        try agent.commit(compose("v3", listen: 81), message: "v3 unhealthy")
        try agent.waitForLog("event=gate", "outcome=failed", "resource=\(project)/web", "check=healthy")
        try agent.waitForLog("event=rollback", "outcome=rolled-back", "projects=\(project)")
        let gates = agent.journalRecords(kind: "gate").compactMap { ($0["body"] as? [String: Any])?["results"] as? [[String: Any]] }
        let failedGate = gates.dropLast().last?.first
        #expect(failedGate?["passed"] as? Bool == false && failedGate?["take_over"] == nil, "the failed version never took the traffic")
        #expect(gates.dropLast(2).last?.first?["take_over"] != nil, "v2 took it over from v1")
        let status = try BosunBinary.run(["status", "--state-dir", agent.state, "--no-probe"])
        #expect(status.stdout.contains("QUARANTINED commit"), "\(status.stdout)")
        let history = try BosunBinary.run(["history", "--state-dir", agent.state]).stdout
        #expect(history.contains("rolled-back") && history.contains("quarantine"), "\(history)")

        // Left alone for ten polls and drift checks.
        let begins = agent.journalRecords(kind: "begin").count
        Thread.sleep(forTimeInterval: 10)
        #expect(agent.journalRecords(kind: "begin").count == begins)

        try agent.commit(compose("v4"), message: "v4 fixed")
        try agent.waitForLog("event=release", "project=\(project)", "cause=changed")
        try agent.eventually("v4 answering") { loops.allSatisfy { $0.soFar.last?.body == "v4" } }
        Thread.sleep(forTimeInterval: 0.3)
        stopped = true
        for (index, samples) in loops.map({ $0.stop() }).enumerated() {
            let failed = samples.filter { !$0.ok }
            #expect(failed.isEmpty, "client \(index): \(failed.count) of \(samples.count) failed: \(failed.prefix(3).map(\.body))")
            #expect(!samples.contains { $0.body == "v3" }, "client \(index)")
            var order: [String] = []
            for sample in samples where order.last != sample.body { order.append(sample.body) }
            #expect(order == ["v1", "v2", "v4"], "client \(index): each version took over once, in order: \(order)")
        }
    }
}
