public import BosunConverge
public import BosunJournal
public import BosunModel
public import BosunPlanner

/// A fake engine for tests: records each call as `verb object` in the order calls start, fails the calls it
/// is told to, answers waits with scripted health and exit codes, and can hold a call until another one has
/// started (which only a concurrent executor gets past) while it counts how many calls ran at once.
public actor RecordingEngine: ConvergenceEngine {
    /// Calls in the order they started: `pull docker.io/library/nginx:1.27`, `create-network shop_front`,
    /// `create shop-db-1`, `wait-healthy shop-db-1`, `stop shop-web-1`…
    public private(set) var calls: [String] = []
    /// The most calls that were running at the same time.
    public private(set) var peakConcurrency = 0
    private var running = 0
    private var failures: [String: String] = [:]
    private var health: [String: HealthStatus] = [:]
    private var exitCodes: [String: Int32] = [:]
    private var gateObservations: [String: [GateObservation]] = [:]
    private var holds: [String: (other: String, timeout: Duration)] = [:]
    private var waiters: [String: [CheckedContinuation<Bool, Never>]] = [:]
    private var observed: ObservedState
    private var swept: [SweptContainer] = []
    /// The containers the gate asked to take the traffic over, in order (in `calls` only when scripted with
    /// `setTakeOver` or `fail`: every gate asks).
    public private(set) var takeOvers: [String] = []
    /// The order each recreate was asked with, by container name.
    public private(set) var recreateOrders: [String: UpdateConfig.Order] = [:]
    private var takeOverAnswers: [String: TakeOver] = [:]

    public init(observed: ObservedState = .empty) { self.observed = observed }

    /// Makes the call `call` (e.g. `start shop-db-1`) throw `message`.
    public func fail(_ call: String, with message: String) { failures[call] = message }
    /// The health `waitHealthy` reports for a container (default healthy).
    public func setHealth(_ container: String, _ status: HealthStatus) { health[container] = status }
    /// The exit code `waitCompleted` reports for a container (default 0).
    public func setExitCode(_ container: String, _ code: Int32) { exitCodes[container] = code }
    /// What `gateObservation` reports for a container, one per call, the last one kept (default: running, no
    /// health check).
    public func setGateObservations(_ container: String, _ observations: [GateObservation]) { gateObservations[container] = observations }
    /// What `takeOver` answers for a container (default nil: nothing to move).
    public func setTakeOver(_ container: String, _ answer: TakeOver) { takeOverAnswers[container] = answer }
    /// What the next `sweepInterrupted` reports (once).
    public func setSwept(_ containers: [SweptContainer]) { swept = containers }
    /// Holds `call` once started until `other` has started too; after `timeout` it fails instead. The default is
    /// long: on a 2-core host, long blocking tests elsewhere in the process can hold the cooperative pool for tens
    /// of seconds, and a hold is a proof of concurrency, not a timing.
    public func hold(_ call: String, until other: String, timeout: Duration = .seconds(180)) { holds[call] = (other, timeout) }

    private func enter(_ call: String) async throws {
        calls.append(call)
        running += 1
        peakConcurrency = max(peakConcurrency, running)
        for waiter in waiters.removeValue(forKey: call) ?? [] { waiter.resume(returning: true) }
        defer { running -= 1 }
        if let (other, timeout) = holds[call], !calls.contains(other) {
            let arrived = await withCheckedContinuation { continuation in
                waiters[other, default: []].append(continuation)
                Task { try? await Task.sleep(for: timeout); self.expire(other) }
            }
            guard arrived else { throw ConvergeError(call, cause: "\(other) did not start while \(call) ran: the calls did not run concurrently") }
        }
        if let message = failures[call] { throw ConvergeError(call, cause: message) }
    }

    private func expire(_ call: String) {
        for waiter in waiters.removeValue(forKey: call) ?? [] { waiter.resume(returning: false) }
    }

    public func pullImage(_ image: ImageReference) async throws { try await enter("pull \(image)") }
    public func createNetwork(_ network: Network, project: Project) async throws { try await enter("create-network \(network.name)") }
    public func createVolume(_ volume: Volume, project: Project) async throws { try await enter("create-volume \(volume.name)") }
    public func createContainer(_ container: ContainerTarget) async throws { try await enter("create \(container.name)") }
    public func startContainer(_ container: ContainerTarget) async throws { try await enter("start \(container.name)") }
    public func updateLimits(_ container: ContainerTarget) async throws { try await enter("update-limits \(container.name)") }
    public func recreateContainer(_ container: ContainerTarget) async throws {
        recreateOrders[container.name] = container.order
        try await enter("recreate \(container.name)")
    }
    public func takeOver(container name: String) async throws -> TakeOver? {
        takeOvers.append(name)
        // In `calls` too when the test scripted it (every gate asks; most tests need not see it).
        guard takeOverAnswers[name] != nil || failures["take-over \(name)"] != nil else { return nil }
        try await enter("take-over \(name)")
        return takeOverAnswers[name]
    }
    public func restoreContainer(_ container: ContainerTarget, kept: ObservedContainer) async throws { try await enter("restore \(kept.id)") }
    public func removeKept(named name: String) async throws { try await enter("remove-kept \(name)") }
    public func stopContainer(_ container: ObservedContainer) async throws { try await enter("stop \(container.name)") }
    public func removeContainer(_ container: ObservedContainer) async throws { try await enter("remove \(container.name)") }
    public func removeNetwork(named name: String) async throws { try await enter("remove-network \(name)") }
    public func removeVolume(named name: String) async throws { try await enter("remove-volume \(name)") }

    public func waitStarted(container name: String, timeout: Duration) async throws { try await enter("wait-started \(name)") }

    public func waitHealthy(container name: String, timeout: Duration) async throws -> HealthStatus {
        try await enter("wait-healthy \(name)")
        return health[name] ?? .healthy
    }

    public func waitCompleted(container name: String, timeout: Duration) async throws -> Int32 {
        try await enter("wait-completed \(name)")
        return exitCodes[name] ?? 0
    }

    public func gateObservation(container name: String) async -> GateObservation {
        calls.append("observe-gate \(name)")
        guard var queue = gateObservations[name], let next = queue.first else { return GateObservation(status: .running) }
        if queue.count > 1 { queue.removeFirst() }
        gateObservations[name] = queue
        return next
    }

    public func observe() async throws -> ObservedState { observed }

    public func sweepInterrupted() async -> [SweptContainer] {
        defer { swept = [] }
        if !swept.isEmpty { calls.append("sweep " + swept.map(\.name).joined(separator: ",")) }
        return swept
    }

    /// A digest made from the reference, so journals in tests have one.
    public func imageDigest(_ image: ImageReference) async -> String? { ConfigHash.digest(Array(image.description.utf8)) }
}
