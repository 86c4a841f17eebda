public import BosunAgent
public import BosunJournal
import Foundation
import NIOConcurrencyHelpers

/// The agent's main loop: converge at start, then poll git on a jittered interval, check drift on its own
/// interval, and converge at once on a webhook, `bosun sync` or SIGHUP. One convergence at a time: triggers
/// that arrive during one are coalesced into a single follow-up. `stop()` cancels the work in flight (which
/// finishes or abandons it safely and journals it) and ends the loop; containers keep running.
public final class AgentLoop: Sendable {
    /// Why the loop wakes.
    enum Wake: Sendable { case trigger, tick, stop }

    struct Flags {
        var pendingTrigger: ConvergenceTrigger?
        var stopping = false
        var current: Task<AgentReport, Never>?
        var last: AgentReport?
    }

    let work: any AgentWork
    let schedule: PollSchedule
    let driftInterval: Int64
    let notifier: SystemdNotifier
    let log: @Sendable (String) -> Void
    let random: @Sendable () -> Double
    let flags = NIOLockedValueBox(Flags())
    let wakes: AsyncStream<Wake>
    let wake: AsyncStream<Wake>.Continuation

    public init(
        work: any AgentWork, schedule: PollSchedule, driftInterval: Int64, notifier: SystemdNotifier,
        log: @escaping @Sendable (String) -> Void, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.work = work
        self.schedule = schedule
        self.driftInterval = driftInterval
        self.notifier = notifier
        self.log = log
        self.random = random
        (wakes, wake) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(8))
    }

    /// Asks for a convergence as soon as the current one (if any) ends. Safe from any thread.
    public func trigger(_ reason: ConvergenceTrigger) {
        let first = flags.withLockedValue { flags -> Bool in
            defer { if flags.pendingTrigger == nil { flags.pendingTrigger = reason } }
            return flags.pendingTrigger == nil
        }
        if first { wake.yield(.trigger) }
    }

    /// Ends the loop: the convergence in flight is cancelled (it journals how it ended).
    public func stop() {
        let current = flags.withLockedValue { flags -> Task<AgentReport, Never>? in
            flags.stopping = true
            return flags.current
        }
        current?.cancel()
        wake.yield(.stop)
    }

    /// The last report, for status.
    public var lastReport: AgentReport? { flags.withLockedValue { $0.last } }

    /// Runs until `stop()`.
    public func run() async {
        var failures = 0
        var report = await converge(.startup)
        failures = report.failed ? 1 : 0
        notifier.ready(status: "\(report.outcome) \(report.commit.map { String($0.prefix(12)) } ?? "")")
        let clock = ContinuousClock()
        var nextPoll = clock.now.advanced(by: .nanoseconds(schedule.delay(random: random(), failures: failures)))
        var nextDrift = clock.now.advanced(by: .nanoseconds(driftInterval))
        var nextWatchdog = notifier.watchdogInterval.map { clock.now.advanced(by: .nanoseconds($0)) }
        var iterator = wakes.makeAsyncIterator()
        while !flags.withLockedValue({ $0.stopping }) {
            let due = [nextPoll, nextDrift, nextWatchdog].compactMap { $0 }.min()!
            let sleeper = Task { [wake] in
                try? await Task.sleep(until: due, clock: clock)
                if !Task.isCancelled { wake.yield(.tick) }
            }
            let event = await iterator.next()
            sleeper.cancel()
            if event == nil || event == .stop || flags.withLockedValue({ $0.stopping }) { break }
            if let watchdog = nextWatchdog, clock.now >= watchdog, let interval = notifier.watchdogInterval {
                notifier.watchdog()
                nextWatchdog = clock.now.advanced(by: .nanoseconds(interval))
            }
            let pending = flags.withLockedValue { flags -> ConvergenceTrigger? in
                defer { flags.pendingTrigger = nil }
                return flags.pendingTrigger
            }
            if pending != nil || clock.now >= nextPoll {
                report = await converge(pending ?? .poll)
                failures = report.failed ? failures + 1 : 0
                notifier.status("\(report.outcome) \(report.commit.map { String($0.prefix(12)) } ?? "")")
                nextPoll = clock.now.advanced(by: .nanoseconds(schedule.delay(random: random(), failures: failures)))
                nextDrift = clock.now.advanced(by: .nanoseconds(driftInterval))
            } else if clock.now >= nextDrift {
                if let drift = await work.checkDrift() {
                    log("event=drift \(drift.logFields)")
                    record(drift)
                }
                nextDrift = clock.now.advanced(by: .nanoseconds(driftInterval))
            }
        }
        notifier.stopping(status: "stopping; containers keep running")
        log("event=stop reason=requested")
    }

    func converge(_ trigger: ConvergenceTrigger) async -> AgentReport {
        let task = Task { [work] in await work.converge(trigger: trigger) }
        flags.withLockedValue { $0.current = task }
        if flags.withLockedValue({ $0.stopping }) { task.cancel() }
        let report = await task.value
        flags.withLockedValue { $0.current = nil }
        log("event=convergence trigger=\(trigger.rawValue) \(report.logFields)")
        record(report)
        return report
    }

    func record(_ report: AgentReport) {
        flags.withLockedValue { $0.last = report }
    }
}
