import Dispatch

/// Runs blocking work (kernel calls that wait: spawning a monitor, a probe inside a container) on Dispatch's
/// global pool, never on Swift's cooperative pool, whose few threads (two on a two-core host) must not stall.
public enum Blocking {
    /// Runs `body` on a Dispatch thread and resumes with its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
