public import BosunCycle
public import BosunSource

/// The cycle's host effects on this host: the state directory's convergence lock, and a commit's files
/// exported where the engine's containers bind them.
public struct HostCycleHost: CycleHost {
    public let stateDirectory: String
    public let engine: HostEngine
    /// Told the holder's pid while waiting for another convergence.
    public let waiting: @Sendable (Int32?) -> Void

    public init(stateDirectory: String, engine: HostEngine, waiting: @escaping @Sendable (Int32?) -> Void) {
        self.stateDirectory = stateDirectory
        self.engine = engine
        self.waiting = waiting
    }

    public func lock() async throws -> any CycleLock {
        HeldLock(lock: try await ConvergenceLock.acquire(stateDirectory: stateDirectory, waiting: waiting))
    }

    public func publish(_ opened: SourceReader.Opened, alongside others: [SourceReader.Opened]) throws {
        // The others first: exporting the main commit last keeps them among the newest exports when it prunes.
        let alternates = try others.map { try SourceFiles.location(of: $0, stateDirectory: stateDirectory).root }
        let files = try SourceFiles.location(of: opened, stateDirectory: stateDirectory)
        engine.sourceFiles.set(files.root, store: files.store, alternates: alternates)
    }

    /// A held `ConvergenceLock`.
    struct HeldLock: CycleLock {
        let lock: ConvergenceLock
        public func release() { lock.release() }
    }
}
