public import BosunAgent
public import BosunJournal
import Foundation
import NIOConcurrencyHelpers

/// The agent's main loop: converge at start, then poll git on a jittered interval, check drift on its own
/// interval, supervise containers (restart policies) on a short one, and converge at once on a webhook,
/// `bosun sync` or SIGHUP. One thing at a time: triggers that arrive during a convergence are coalesced into a
/// single follow-up. `stop()` cancels the work in flight (which finishes or abandons it safely and journals it)
/// and ends the loop; containers keep running.
public final class AgentLoop: Sendable {
    /// Why the loop wakes.
    enum Wake: Sendable { case trigger, tick, stop }

    struct Flags {
        var pendingTrigger: ConvergenceTrigger?
        /// `sync` callers waiting for the convergence of the pending trigger.
        var waiters: [CheckedContinuation<AgentReport, Never>] = []
        var stopping = false
        var cancelCurrent: (@Sendable () -> Void)?
        /// When the work in flight started (nil when idle): the watchdog stops vouching when it runs too long.
        var workStarted: Duration?
        var last: AgentReport?
    }

    let work: any AgentWork
    let schedule: PollSchedule
    let driftInterval: Int64
    let superviseInterval: Int64?
    let notifier: SystemdNotifier
    let log: @Sendable (String) -> Void
    let random: @Sendable () -> Double
    let clock: any LoopClock
    let flags = NIOLockedValueBox(Flags())
    let wakes: AsyncStream<Wake>
    let wake: AsyncStream<Wake>.Continuation

    /// `superviseInterval` (nanoseconds) is how often `work.supervise()` runs; nil never. `clock` keeps the
    /// timers (a manual one in tests).
    public init(
        work: any AgentWork, schedule: PollSchedule, driftInterval: Int64, superviseInterval: Int64? = nil, notifier: SystemdNotifier,
        log: @escaping @Sendable (String) -> Void, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        clock: any LoopClock = MonotonicLoopClock()
    ) {
        self.clock = clock
        self.work = work
        self.schedule = schedule
        self.driftInterval = driftInterval
        self.superviseInterval = superviseInterval
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

    /// Asks for a convergence and returns its report once it ended (`bosun sync`). A convergence in flight
    /// is not the one waited for: the next one is, so it sees what git holds now.
    public func sync(_ reason: ConvergenceTrigger = .manual) async -> AgentReport {
        await withCheckedContinuation { continuation in
            let (first, stopping) = flags.withLockedValue { flags -> (Bool, Bool) in
                if flags.stopping { return (false, true) }
                flags.waiters.append(continuation)
                defer { if flags.pendingTrigger == nil { flags.pendingTrigger = reason } }
                return (flags.pendingTrigger == nil, false)
            }
            if stopping { continuation.resume(returning: AgentLoop.stoppingReport) }
            if first { wake.yield(.trigger) }
        }
    }

    static let stoppingReport = AgentReport(commit: nil, outcome: "stopping", summary: "the agent is stopping", failed: true)

    /// Ends the loop: the work in flight is cancelled (it journals how it ended).
    public func stop() {
        let cancel = flags.withLockedValue { flags -> (@Sendable () -> Void)? in
            flags.stopping = true
            return flags.cancelCurrent
        }
        cancel?()
        wake.yield(.stop)
    }

    /// The last report, for status.
    public var lastReport: AgentReport? { flags.withLockedValue { $0.last } }

    /// Runs until `stop()`.
    public func run() async {
        let watchdog = startWatchdog()
        defer { watchdog?.cancel() }
        var report = await converge(.startup, waiters: [])
        var failures = report.failed ? 1 : 0
        notifier.ready(status: report.statusLine)
        ProcessMemory.trim()
        func after(_ nanoseconds: Int64) -> Duration { clock.elapsed + .nanoseconds(nanoseconds) }
        var nextPoll = after(schedule.delay(random: random(), failures: failures))
        var nextDrift = after(driftInterval)
        var nextSupervise = superviseInterval.map(after)
        var supervisedSinceTrim = 0
        var iterator = wakes.makeAsyncIterator()
        while !flags.withLockedValue({ $0.stopping }) {
            let due = [nextPoll, nextDrift, nextSupervise].compactMap { $0 }.min()!
            let sleeper = Task { [wake, clock] in
                try? await clock.sleep(untilElapsed: due)
                if !Task.isCancelled { wake.yield(.tick) }
            }
            let event = await iterator.next()
            sleeper.cancel()
            if event == nil || event == .stop || flags.withLockedValue({ $0.stopping }) { break }
            let (pending, waiters) = flags.withLockedValue { flags -> (ConvergenceTrigger?, [CheckedContinuation<AgentReport, Never>]) in
                defer {
                    flags.pendingTrigger = nil
                    flags.waiters = []
                }
                return (flags.pendingTrigger, flags.waiters)
            }
            var changed = false, heavy = false
            if pending != nil || clock.elapsed >= nextPoll {
                report = await converge(pending ?? .poll, waiters: waiters)
                changed = report.outcome != "no-change"
                heavy = true
                failures = report.failed ? failures + 1 : 0
                notifier.status(report.statusLine)
                nextPoll = after(schedule.delay(random: random(), failures: failures))
            }
            // Drift has its own timer: polls that find nothing new must not keep postponing it.
            if clock.elapsed >= nextDrift && !flags.withLockedValue({ $0.stopping }) {
                if let drift = await inFlight({ [work] in await work.checkDrift() }) {
                    log("event=drift \(drift.logFields)")
                    record(drift)
                }
                nextDrift = after(driftInterval)
                heavy = true
            }
            if let supervise = nextSupervise, clock.elapsed >= supervise, let interval = superviseInterval {
                await inFlight { [work] in await work.supervise() }
                nextSupervise = after(interval)
                supervisedSinceTrim += 1
            }
            // Going idle: what a poll, a drift check or a convergence ran need not stay resident until the next
            // one (after a convergence the mappings are read again: it may have loaded a library). The
            // once-a-second supervision runs little code; trimming after every tick would cost more CPU in
            // faults than it saves, so it is trimmed every tenth.
            if heavy || supervisedSinceTrim >= 10 {
                ProcessMemory.trim(refresh: changed)
                supervisedSinceTrim = 0
            }
        }
        let waiters = flags.withLockedValue { flags in
            defer { flags.waiters = [] }
            return flags.waiters
        }
        for waiter in waiters { waiter.resume(returning: AgentLoop.stoppingReport) }
        notifier.stopping(status: "stopping; containers keep running")
        log("event=stop reason=requested")
    }

    func converge(_ trigger: ConvergenceTrigger, waiters: [CheckedContinuation<AgentReport, Never>]) async -> AgentReport {
        let report = await inFlight { [work] in await work.converge(trigger: trigger) }
        // A poll that found nothing new is not logged (status shows the last check): an idle agent stays quiet.
        if !(trigger == .poll && (report.outcome == "no-change" || report.repeated)) { log("event=convergence trigger=\(trigger.rawValue) \(report.logFields)") }
        record(report)
        for waiter in waiters { waiter.resume(returning: report) }
        return report
    }

    /// The longest a single piece of work may take before the watchdog stops vouching for the loop: longer
    /// than any convergence (its condition waits time out after 5 minutes).
    static let hungAfter: Duration = .seconds(900)

    /// `WATCHDOG=1` at half of systemd's `WatchdogSec`, from its own task so a long convergence (health waits
    /// of minutes) is not mistaken for a hang; it stops vouching when one piece of work runs longer than `hungAfter`.
    func startWatchdog() -> Task<Void, Never>? {
        guard let interval = notifier.watchdogInterval else { return nil }
        return Task { [notifier, flags, clock] in
            while !Task.isCancelled {
                let started = flags.withLockedValue { $0.workStarted }
                if started.map({ clock.elapsed - $0 < AgentLoop.hungAfter }) ?? true { notifier.watchdog() }
                try? await clock.sleep(untilElapsed: clock.elapsed + .nanoseconds(interval))
            }
        }
    }

    /// Runs `body` as the work in flight, which `stop()` cancels.
    func inFlight<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await body() }
        flags.withLockedValue { $0.cancelCurrent = { task.cancel() }; $0.workStarted = clock.elapsed }
        if flags.withLockedValue({ $0.stopping }) { task.cancel() }
        let value = await task.value
        flags.withLockedValue { $0.cancelCurrent = nil; $0.workStarted = nil }
        return value
    }

    func record(_ report: AgentReport) {
        flags.withLockedValue { $0.last = report }
    }
}
