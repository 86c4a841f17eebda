import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs a convergence of a command (`apply`, `rollback`, `down`) so that SIGINT (Ctrl-C) and SIGTERM stop it
/// safely, as the agent's shutdown does: the task is cancelled, operations in flight finish, nothing new
/// starts, a gate in progress gives no verdict, and the convergence is journaled `interrupted` — the next
/// convergence gates what it created. A second signal ends the process at once (the next convergence then
/// finds the journal open and ends it `interrupted`).
enum InterruptibleConvergence {
    /// Whether the last `run` was stopped by a signal.
    static let interrupted = Atomic<Bool>(false)

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if interrupted.exchange(true, ordering: .relaxed) {
                    FileHandle.standardError.write(Data("bosun: stopped at once (the next convergence ends this one interrupted)\n".utf8))
                    exit(130)
                }
                FileHandle.standardError.write(Data("bosun: stopping: operations in flight finish, nothing new starts, the convergence is journaled interrupted (again to stop at once)\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            for source in signals { source.cancel() }
            for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        }
        return try await task.value
    }
}

/// A value handed to the task `InterruptibleConvergence.run` starts and awaited by its caller, who does not touch
/// it meanwhile: it is used by one task at a time.
final class HandedOver<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
