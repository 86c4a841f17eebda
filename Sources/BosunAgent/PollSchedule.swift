public import BosunModel

/// When the agent looks at git next: the interval plus a random share of it (so a fleet started at the
/// same moment spreads out), and a growing pause after failures so a broken forge is not hammered.
public struct PollSchedule: Sendable, Hashable {
    public var interval: ComposeDuration
    /// Up to this fraction of the interval is added at random.
    public var jitter: Double
    /// The longest wait after repeated failures.
    public var maximumBackoff = ComposeDuration.seconds(600)

    public init(interval: ComposeDuration, jitter: Double) {
        self.interval = interval
        self.jitter = min(max(jitter, 0), 1)
    }

    /// Nanoseconds to wait before the next poll. `random` is uniform in 0..<1 (injected for tests);
    /// `failures` counts consecutive failed polls (0 after a success).
    public func delay(random: Double, failures: Int = 0) -> Int64 {
        let base = Double(interval.nanoseconds)
        var wait = base + base * jitter * min(max(random, 0), 1)
        if failures > 0 {
            wait = min(wait * Double(1 << min(failures, 16)), max(Double(maximumBackoff.nanoseconds), base))
        }
        return Int64(wait)
    }
}
