import BosunAgent
import BosunModel
import Foundation
import Testing

@Suite("Restart counts across agent restarts")
struct RestartCountsTests {
    /// Three short crashes of `web`, on-failure:3 exhausted for `job`.
    static func supervised() -> RestartSupervision {
        var supervision = RestartSupervision()
        for run in 0..<3 {
            _ = supervision.exited("web", policy: .always, configHash: "h1", exit: "w\(run)", exitCode: 1, ranFor: 1_000, stoppedByUser: false, now: 0)
            supervision.running("web")
        }
        for run in 0..<4 {
            _ = supervision.exited("job", policy: .onFailure(maxRetries: 3), configHash: "j1", exit: "j\(run)", exitCode: 2, ranFor: 1_000,
                                   stoppedByUser: false, now: 0)
        }
        return supervision
    }

    @Test("counts, short runs, backoff and the last decided exit survive a JSON round trip")
    func roundTrip() throws {
        let before = Self.supervised()
        let data = try JSONEncoder().encode(before.counts)
        let restored = RestartSupervision(restoring: try JSONDecoder().decode(RestartCounts.self, from: data))
        #expect(restored.counts == before.counts)
        #expect(restored.entries["web"]?.tracker.restarts == 3)
        #expect(restored.entries["web"]?.tracker.shortRuns == 3)
        #expect(restored.entries["job"]?.tracker.restarts == 3)
        #expect(restored.entries["job"]?.lastExitCode == 2)
        #expect(String(decoding: data, as: UTF8.self).contains("\"config_hash\":\"h1\""))
    }

    @Test("after a restore the same exit is not counted again, on-failure:N stays given up, and a crash loop continues where it was")
    func restoredDecisions() {
        var restored = RestartSupervision(restoring: Self.supervised().counts)
        #expect(restored.exited("job", policy: .onFailure(maxRetries: 3), configHash: "j1", exit: "j3", exitCode: 2, ranFor: 1, stoppedByUser: false, now: 0) == .none)
        #expect(restored.exited("job", policy: .onFailure(maxRetries: 3), configHash: "j1", exit: "j4", exitCode: 2, ranFor: 1, stoppedByUser: false, now: 0)
            == .leave("gave up after 3 restarts (restart: on-failure:3)"))
        _ = restored.exited("web", policy: .always, configHash: "h1", exit: "w3", exitCode: 1, ranFor: 1_000, stoppedByUser: false, now: 0)
        restored.running("web")
        let action = restored.exited("web", policy: .always, configHash: "h1", exit: "w4", exitCode: 1, ranFor: 1_000, stoppedByUser: false, now: 0)
        #expect(action == .restart(afterNanoseconds: RestartTracker.initialDelay << 4, crashLoopStarted: true))
        #expect(restored.entries["web"]?.tracker.restarts == 5)
    }

    @Test("nothing pending is restored: at start Docker's rules decide (always comes back), and a new config hash counts afresh")
    func startupRules() {
        var supervision = RestartSupervision()
        _ = supervision.exited("web", policy: .unlessStopped, configHash: "h1", exit: "t1", exitCode: 0, ranFor: 20_000_000_000, stoppedByUser: true, now: 0)
        #expect(supervision.isHeld("web"))
        var restored = RestartSupervision(restoring: supervision.counts)
        #expect(!restored.isHeld("web"))
        #expect(restored.keepStopped("web", policy: .unlessStopped, configHash: "h1", exit: "t1", exitCode: 0, stoppedByUser: false, atStartup: true) == false)
        #expect(restored.keepStopped("web", policy: .always, configHash: "h2", exit: "t9", exitCode: 0, stoppedByUser: false, atStartup: true) == false)
        #expect(restored.entries["web"]?.tracker.restarts == 0)
    }

    @Test("a start on request releases the hold and starts the count afresh, so on-failure:N has N restarts again")
    func startedOnRequest() {
        var supervision = Self.supervised()
        #expect(supervision.isHeld("job"))
        supervision.startedOnRequest("job")
        #expect(!supervision.isHeld("job"))
        #expect(supervision.entries["job"]?.tracker.restarts == 0)
        let action = supervision.exited("job", policy: .onFailure(maxRetries: 3), configHash: "j1", exit: "j9", exitCode: 2, ranFor: 1, stoppedByUser: false, now: 0)
        #expect(action == .restart(afterNanoseconds: RestartTracker.initialDelay, crashLoopStarted: false))
        supervision.startedOnRequest("unknown")
        #expect(supervision.entries["unknown"] == nil)
    }

    @Test("a hand-edited file with values out of range is clamped; an empty name is dropped")
    func badInput() throws {
        let json = #"{"version":1,"containers":{"":{"config_hash":"x","restarts":1,"short_runs":1,"delay_ns":1,"crash_loop_reported":false},"#
            + #""web":{"config_hash":"h","restarts":-4,"short_runs":-1,"delay_ns":999999999999999,"crash_loop_reported":true}}}"#
        let restored = RestartSupervision(restoring: try JSONDecoder().decode(RestartCounts.self, from: Data(json.utf8)))
        #expect(restored.entries.keys.sorted() == ["web"])
        #expect(restored.entries["web"]?.tracker.restarts == 0)
        #expect(restored.entries["web"]?.tracker.shortRuns == 0)
        #expect(restored.entries["web"]?.tracker.currentDelay == RestartTracker.maximumDelay)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(RestartCounts.self, from: Data("{\"version\":1}".utf8)) }
    }
}
