public import BosunAgent
import Synchronization

/// A clock that moves only when a test says so: `advance` moves it and wakes the sleepers whose deadline
/// passed. Read in milliseconds since the epoch (`now`, `reader`) by the pure parts that take `() -> Int64`
/// clocks (the journal, restart supervision), and as a `LoopClock` by the agent's loop.
public final class ManualClock: LoopClock, Sendable {
    private struct Sleeper {
        let id: UInt64
        let deadline: Int64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var milliseconds: Int64
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let start: Int64
    private let state: Mutex<State>

    public init(_ start: Int64 = 1_795_000_000_000) {
        self.start = start
        state = Mutex(State(milliseconds: start))
    }

    public var now: Int64 { state.withLock { $0.milliseconds } }

    /// A reading function to hand to the code under test.
    public var reader: @Sendable () -> Int64 { { [self] in now } }

    /// How many tasks are sleeping on the clock (a test advances once the code under test waits).
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    public func advance(by milliseconds: Int64) {
        let woken = state.withLock { state -> [Sleeper] in
            state.milliseconds += milliseconds
            let now = state.milliseconds
            defer { state.sleepers.removeAll { $0.deadline <= now } }
            return state.sleepers.filter { $0.deadline <= now }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public var elapsed: Duration { .milliseconds(now - start) }

    public func sleep(untilElapsed deadline: Duration) async throws {
        let (seconds, attoseconds) = deadline.components
        let target = start + seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let due = state.withLock { state -> Bool in
                    if state.milliseconds >= target || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: target, continuation: continuation))
                    return false
                }
                guard due else { return }
                if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }
}
