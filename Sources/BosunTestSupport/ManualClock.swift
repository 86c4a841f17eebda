import Synchronization

/// A clock in milliseconds since the epoch that moves only when a test says so: `now` reads it, `advance`
/// moves it. For the pure parts that take `() -> Int64` clocks (the journal, restart supervision).
public final class ManualClock: Sendable {
    private let milliseconds: Mutex<Int64>

    public init(_ start: Int64 = 1_795_000_000_000) { milliseconds = Mutex(start) }

    public var now: Int64 { milliseconds.withLock { $0 } }

    public func advance(by delta: Int64) { milliseconds.withLock { $0 += delta } }

    /// A reading function to hand to the code under test.
    public var reader: @Sendable () -> Int64 { { [self] in now } }
}
