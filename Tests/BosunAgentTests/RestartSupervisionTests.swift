import BosunAgent
import BosunModel
import Testing

@Suite("Restart supervision")
struct RestartSupervisionTests {
    @Test("an exit is decided once; the restart is due after its backoff; a start clears it")
    func backoff() {
        var supervision = RestartSupervision()
        let action = supervision.exited("web", policy: .always, configHash: "h1", exit: "t1", exitCode: 137, ranFor: 1_000, stoppedByUser: false, now: 0)
        #expect(action == .restart(afterNanoseconds: RestartTracker.initialDelay, crashLoopStarted: false))
        #expect(supervision.exited("web", policy: .always, configHash: "h1", exit: "t1", exitCode: 137, ranFor: 1_000, stoppedByUser: false, now: 5) == .none)
        #expect(supervision.due(now: RestartTracker.initialDelay - 1).isEmpty)
        #expect(supervision.due(now: RestartTracker.initialDelay) == ["web"])
        #expect(supervision.isHeld("web"))
        supervision.running("web")
        #expect(!supervision.isHeld("web") && supervision.due(now: .max).isEmpty)
        #expect(supervision.entries["web"]?.tracker.restarts == 1)
    }

    @Test("short runs in a row become a crash loop, reported once; a recreated container counts afresh")
    func crashLoop() {
        var supervision = RestartSupervision()
        var started: [Bool] = []
        for run in 0..<7 {
            if case .restart(_, let loop) = supervision.exited("app", policy: .onFailure(maxRetries: nil), configHash: "h1", exit: "t\(run)", exitCode: 1,
                                                           ranFor: 1_000_000, stoppedByUser: false, now: Int64(run)) {
                started.append(loop)
            }
            supervision.running("app")
        }
        #expect(started == [false, false, false, false, true, false, false])
        #expect(supervision.entries["app"]?.isCrashLooping == true)
        _ = supervision.exited("app", policy: .onFailure(maxRetries: nil), configHash: "h2", exit: "n1", exitCode: 1, ranFor: 1, stoppedByUser: false, now: 0)
        #expect(supervision.entries["app"]?.tracker.restarts == 1)
    }

    @Test("no, on-failure after success or its maximum, and a manual stop leave the container stopped with a reason")
    func leave() {
        var supervision = RestartSupervision()
        #expect(supervision.exited("a", policy: .no, configHash: "h", exit: "1", exitCode: 137, ranFor: 0, stoppedByUser: false, now: 0)
                    == .leave("restart policy is no"))
        #expect(supervision.exited("b", policy: .onFailure(maxRetries: 1), configHash: "h", exit: "1", exitCode: 0, ranFor: 0, stoppedByUser: false, now: 0)
                    == .leave("exited successfully (restart: on-failure)"))
        _ = supervision.exited("c", policy: .onFailure(maxRetries: 1), configHash: "h", exit: "1", exitCode: 2, ranFor: 0, stoppedByUser: false, now: 0)
        #expect(supervision.exited("c", policy: .onFailure(maxRetries: 1), configHash: "h", exit: "2", exitCode: 2, ranFor: 0, stoppedByUser: false, now: 0)
                    == .leave("gave up after 1 restart (restart: on-failure:1)"))
        #expect(supervision.exited("d", policy: .unlessStopped, configHash: "h", exit: "1", exitCode: 0, ranFor: 0, stoppedByUser: true, now: 0)
                    == .leave("stopped on request"))
        #expect(["a", "b", "c", "d"].allSatisfy(supervision.isHeld))
        #expect(supervision.entries["d"]?.leftStopped == "stopped on request")
    }

    @Test("at the agent's start Docker's rules apply: always, unless-stopped unless stopped by hand, on-failure after a failed or unrecorded exit come back; later, stops are held")
    func startup() {
        var supervision = RestartSupervision()
        func keep(_ name: String, _ policy: RestartPolicy, code: Int32 = -1, byUser: Bool = false, startup: Bool = true) -> Bool {
            supervision.keepStopped(name, policy: policy, configHash: "h", exit: "x", exitCode: code, stoppedByUser: byUser, atStartup: startup)
        }
        #expect(!keep("always", .always))
        #expect(!keep("always-by-hand", .always, byUser: true))
        #expect(!keep("unless", .unlessStopped))
        #expect(keep("unless-by-hand", .unlessStopped, byUser: true))
        #expect(!keep("on-failure", .onFailure(maxRetries: nil)), "killed with the host: no exit status, a failure")
        #expect(keep("on-failure-clean", .onFailure(maxRetries: nil), code: 0))
        #expect(supervision.entries["on-failure-clean"]?.leftStopped == "was stopped when the agent started (restart: on-failure)")
        #expect(keep("no", .no))
        #expect(supervision.entries["unless-by-hand"]?.leftStopped == "stopped by hand before the agent started")
        #expect(keep("later", .always, startup: false), "after start, stopped containers are the supervision's to restart")
        #expect(supervision.exited("no", policy: .no, configHash: "h", exit: "x", exitCode: -1, ranFor: 0, stoppedByUser: false, now: 0) == .none,
                "the exit seen at start is not decided again")
    }
}
