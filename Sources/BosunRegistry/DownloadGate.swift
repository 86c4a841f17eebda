import BosunImageSpec

/// One download per blob at a time in this process: pulls that share a layer wait for the first download
/// instead of writing the same partial file at once.
actor DownloadGate {
    private var running: [ContentDigest: Task<Void, any Error>] = [:]

    /// Runs `operation` for `digest`, or waits for the run already under way. Returns whether this call ran it.
    func run(_ digest: ContentDigest, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        if let task = running[digest] {
            try await task.value
            return false
        }
        let task = Task { try await operation() }
        running[digest] = task
        defer { running[digest] = nil }
        try await task.value
        return true
    }
}
