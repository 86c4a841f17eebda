/// The time the agent's loop keeps: a monotonic reading since an arbitrary origin, and a sleep until a
/// reading. The agent uses the host's monotonic clock (`MonotonicLoopClock`); tests use a manual one, so its
/// timers are tested without waiting.
public protocol LoopClock: Sendable {
    /// Time since the clock's origin.
    var elapsed: Duration { get }
    /// Returns once `elapsed` reaches `deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(untilElapsed deadline: Duration) async throws
}

/// The host's monotonic clock (it keeps counting while the machine sleeps, as `CLOCK_BOOTTIME` does).
public struct MonotonicLoopClock: LoopClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var elapsed: Duration { ContinuousClock.now - origin }

    public func sleep(untilElapsed deadline: Duration) async throws {
        try await Task.sleep(until: origin.advanced(by: deadline), clock: .continuous)
    }
}
