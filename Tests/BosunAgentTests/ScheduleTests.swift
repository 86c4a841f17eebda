import BosunAgent
import BosunModel
import Testing

@Suite("Poll schedule and restart decisions")
struct ScheduleTests {
    @Test("the poll delay is the interval plus up to the jitter share; failures back off to a ceiling")
    func pollDelay() {
        let schedule = PollSchedule(interval: .seconds(10), jitter: 0.2)
        #expect(schedule.delay(random: 0) == 10_000_000_000)
        #expect(schedule.delay(random: 0.5) == 11_000_000_000)
        #expect(schedule.delay(random: 0, failures: 2) == 40_000_000_000)
        #expect(schedule.delay(random: 0, failures: 30) == 600_000_000_000)
    }

    @Test("restart policies decide as Docker's do, with doubling delays and a crash-loop flag")
    func restarts() {
        var tracker = RestartTracker()
        #expect(tracker.exited(policy: .no, exitCode: 1, ranFor: 0, stoppedByUser: false) == .leave("restart policy is no"))
        var always = RestartTracker()
        var delays: [Int64] = []
        for _ in 0..<5 {
            if case .restart(let delay) = always.exited(policy: .always, exitCode: 0, ranFor: 1_000_000, stoppedByUser: false) { delays.append(delay) }
        }
        #expect(delays == [100_000_000, 200_000_000, 400_000_000, 800_000_000, 1_600_000_000])
        #expect(always.isCrashLooping)
        #expect(always.exited(policy: .always, exitCode: 0, ranFor: 60_000_000_000, stoppedByUser: false) == .restart(afterNanoseconds: 100_000_000))
        #expect(!always.isCrashLooping)
        #expect(always.exited(policy: .always, exitCode: 0, ranFor: 0, stoppedByUser: true) == .leave("stopped on request"))

        var onFailure = RestartTracker()
        #expect(onFailure.exited(policy: .onFailure(maxRetries: 1), exitCode: 0, ranFor: 0, stoppedByUser: false) == .leave("exited successfully (restart: on-failure)"))
        #expect(onFailure.exited(policy: .onFailure(maxRetries: 1), exitCode: 2, ranFor: 0, stoppedByUser: false) == .restart(afterNanoseconds: 100_000_000))
        #expect(onFailure.exited(policy: .onFailure(maxRetries: 1), exitCode: 2, ranFor: 0, stoppedByUser: false) == .leave("gave up after 1 restart (restart: on-failure:1)"))
        func atStart(_ policy: RestartPolicy, exit: Int32 = -1, restarts: Int = 0, byUser: Bool = false) -> Bool {
            RestartTracker.startsAtAgentStart(policy: policy, exitCode: exit, restarts: restarts, wasStoppedByUser: byUser)
        }
        #expect(atStart(.unlessStopped, byUser: true) == false)
        #expect(atStart(.always, exit: 0, byUser: true))
        #expect(atStart(.onFailure(maxRetries: nil)), "running when the host went down: no exit status, a failure (Docker: 255)")
        #expect(atStart(.onFailure(maxRetries: nil), exit: 1))
        #expect(!atStart(.onFailure(maxRetries: nil), exit: 0))
        #expect(atStart(.onFailure(maxRetries: 2), exit: 1, restarts: 1))
        #expect(!atStart(.onFailure(maxRetries: 2), exit: 1, restarts: 2), "no restarts left")
        #expect(!atStart(.onFailure(maxRetries: nil), exit: 137, byUser: true))
        #expect(!atStart(.no, exit: 1))
    }
}
