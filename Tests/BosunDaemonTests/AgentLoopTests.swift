import BosunAgent
import BosunDaemon
import BosunJournal
import BosunModel
import BosunTestSupport
import Foundation
import Testing

/// Records the loop's calls; a convergence can be held until released, to prove coalescing and cancellation.
final class RecordingWork: AgentWork, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [String] = []
    private var holdNext = false
    private var held: CheckedContinuation<Void, Never>?

    var log: [String] { lock.withLock { calls } }

    func hold() { lock.withLock { holdNext = true } }
    func release() {
        let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            defer { held = nil }
            return held
        }
        continuation?.resume()
    }
    var isHolding: Bool { lock.withLock { held != nil } }

    func converge(trigger: ConvergenceTrigger) async -> AgentReport {
        let shouldHold = lock.withLock { () -> Bool in
            calls.append("converge \(trigger.rawValue)")
            defer { holdNext = false }
            return holdNext
        }
        if shouldHold {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in lock.withLock { held = continuation } }
            } onCancel: {
                self.release()
            }
            if Task.isCancelled {
                lock.withLock { calls.append("cancelled") }
                return AgentReport(commit: "abc", outcome: "interrupted", summary: "stopped", failed: true)
            }
        }
        return AgentReport(commit: "abc", outcome: "converged", summary: "0 operations", failed: false)
    }

    func checkDrift() async -> AgentReport? {
        lock.withLock { calls.append("drift") }
        return nil
    }

    func supervise() async {
        lock.withLock { calls.append("supervise") }
    }

    func status() async -> JSONValue { .object([:]) }
}

@Suite("The agent's loop")
struct AgentLoopTests {
    func eventually(_ condition: () -> Bool) async {
        for _ in 0..<1000 where !condition() { try? await Task.sleep(nanoseconds: 5_000_000) }
    }

    @Test("converges at start, then on a trigger; triggers during a convergence coalesce into one follow-up")
    func triggers() async {
        let work = RecordingWork()
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: .seconds(3600), jitter: 0), driftInterval: 3_600_000_000_000,
                             notifier: SystemdNotifier(environment: [:]), log: { _ in }, clock: ManualClock())
        let running = Task { await loop.run() }
        await eventually { work.log == ["converge startup"] }
        work.hold()
        loop.trigger(.webhook)
        await eventually { work.isHolding }
        loop.trigger(.webhook)
        loop.trigger(.manual)
        loop.trigger(.webhook)
        work.release()
        await eventually { work.log.count == 3 }
        loop.stop()
        await running.value
        #expect(work.log == ["converge startup", "converge webhook", "converge webhook"])
        #expect(loop.lastReport?.outcome == "converged")
    }

    @Test("stop cancels the convergence in flight and ends the loop")
    func stopInFlight() async {
        let work = RecordingWork()
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: .seconds(3600), jitter: 0), driftInterval: 3_600_000_000_000,
                             notifier: SystemdNotifier(environment: [:]), log: { _ in }, clock: ManualClock())
        work.hold()
        let running = Task { await loop.run() }
        await eventually { work.isHolding }
        loop.stop()
        await running.value
        #expect(work.log == ["converge startup", "cancelled"])
    }

    @Test("the poll timer converges and the drift timer checks drift, each on its own interval of the loop's clock")
    func timers() async {
        let work = RecordingWork()
        let clock = ManualClock()
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: ComposeDuration(nanoseconds: 20_000_000), jitter: 0),
                             driftInterval: 7_000_000, notifier: SystemdNotifier(environment: [:]), log: { _ in }, clock: clock)
        let running = Task { await loop.run() }
        await eventually { work.log == ["converge startup"] && clock.sleeping == 1 }
        clock.advance(by: 7)
        await eventually { work.log.count == 2 && clock.sleeping == 1 }
        #expect(work.log == ["converge startup", "drift"])
        clock.advance(by: 7)
        await eventually { work.log.count == 3 && clock.sleeping == 1 }
        #expect(work.log.last == "drift")
        clock.advance(by: 6)
        await eventually { work.log.count == 4 && clock.sleeping == 1 }
        #expect(work.log.last == "converge poll")
        loop.stop()
        await running.value
        #expect(work.log == ["converge startup", "drift", "drift", "converge poll"])
    }

    @Test("sync waits for the convergence it asked for; a sync during a convergence gets the next one; stop answers waiters")
    func sync() async {
        let work = RecordingWork()
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: .seconds(3600), jitter: 0), driftInterval: 3_600_000_000_000,
                             notifier: SystemdNotifier(environment: [:]), log: { _ in }, clock: ManualClock())
        let running = Task { await loop.run() }
        await eventually { work.log == ["converge startup"] }
        let report = await loop.sync(.manual)
        #expect(report.outcome == "converged")
        #expect(work.log == ["converge startup", "converge manual"])
        work.hold()
        loop.trigger(.webhook)
        await eventually { work.isHolding }
        let waiting = Task { await loop.sync(.manual) }
        await eventually { work.log.count == 3 }
        work.release()
        #expect(await waiting.value.outcome == "converged")
        #expect(work.log == ["converge startup", "converge manual", "converge webhook", "converge manual"])
        loop.stop()
        await running.value
        #expect(await loop.sync(.manual).outcome == "stopping")
    }

    @Test("supervise runs on its own short interval; polls and drift checks wait for theirs")
    func supervise() async {
        let work = RecordingWork()
        let clock = ManualClock()
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: .seconds(3600), jitter: 0), driftInterval: 3_600_000_000_000,
                             superviseInterval: 5_000_000, notifier: SystemdNotifier(environment: [:]), log: { _ in }, clock: clock)
        let running = Task { await loop.run() }
        for count in 1...3 {
            await eventually { clock.sleeping == 1 && work.log.count == count }
            clock.advance(by: 5)
        }
        await eventually { work.log.count == 4 }
        loop.stop()
        await running.value
        #expect(work.log == ["converge startup", "supervise", "supervise", "supervise"])
    }
}
