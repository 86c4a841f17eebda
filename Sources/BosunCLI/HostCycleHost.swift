import BosunCycle
import BosunHost
import BosunSource

/// The cycle's host effects on this host: the state directory's convergence lock, and a commit's files
/// exported where the engine's containers bind them.
struct HostCycleHost: CycleHost {
    let stateDirectory: String
    let engine: HostEngine
    /// Told the holder's pid while waiting for another convergence.
    let waiting: @Sendable (Int32?) -> Void

    func lock() async throws -> any CycleLock {
        HeldLock(lock: try await ConvergenceLock.acquire(stateDirectory: stateDirectory, waiting: waiting))
    }

    func publish(_ opened: SourceReader.Opened) throws {
        let files = try SourceOptions.files(of: opened, stateDirectory: stateDirectory)
        engine.sourceFiles.set(files.root, store: files.store)
    }

    /// A held `ConvergenceLock`.
    struct HeldLock: CycleLock {
        let lock: ConvergenceLock
        func release() { lock.release() }
    }
}
