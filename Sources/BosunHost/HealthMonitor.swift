public import BosunConverge
public import BosunModel

/// Probes each watched container on its own schedule (a task per container, cancelled by `unwatch`) and
/// keeps its health state, which `waitHealthy` and status read.
public actor HealthMonitor {
    let prober: HealthProber
    private var states: [String: HealthState] = [:]
    private var loops: [String: Task<Void, Never>] = [:]
    /// Cancelled loops whose probe may still run (an exec into the container), by container and token, until
    /// they end: `quiesce` waits for them before the container's directory is removed.
    private var retiring: [String: [Int: Task<Void, Never>]] = [:]
    private var loopTokens: [String: Int] = [:]
    private var nextToken = 0
    private var waiters: [String: [Int: CheckedContinuation<HealthStatus, Never>]] = [:]
    private var nextWaiter = 0

    public init(prober: HealthProber) { self.prober = prober }

    /// Starts probing `container`, which started at `startedAt` (milliseconds since the epoch); `address` is
    /// its IPv4 address for http and tcp probes. A disabled check is not watched. Watching again restarts.
    public func watch(container: String, check: HealthCheck, startedAt: Int64, address: String?) {
        unwatch(container: container)
        guard !check.isDisabled else { return }
        states[container] = HealthState(check: check, containerStartedAt: startedAt)
        let prober = prober
        nextToken += 1
        let token = nextToken
        loopTokens[container] = token
        loops[container] = Task { [weak self] in
            while !Task.isCancelled {
                guard let delay = await self?.nextDelay(container) else { break }
                do { try await Task.sleep(for: delay) } catch { break }
                let result = await prober.probe(check, container: container, address: address)
                guard !Task.isCancelled else { break }
                await self?.record(container, result)
            }
            await self?.loopEnded(container, token)
        }
    }

    /// Stops probing `container` and forgets its state; waiters get its last status. A probe in flight runs
    /// on until it ends (`quiesce` waits for it).
    public func unwatch(container: String) {
        if let loop = loops.removeValue(forKey: container), let token = loopTokens.removeValue(forKey: container) {
            loop.cancel()
            retiring[container, default: [:]][token] = loop
        }
        let last = states.removeValue(forKey: container)?.status ?? .unhealthy
        for waiter in (waiters.removeValue(forKey: container) ?? [:]).values { waiter.resume(returning: last) }
    }

    /// Returns once no probe of the unwatched `container` runs any more — before its directory is removed, so
    /// a health check's exec never writes into a container being deleted.
    public func quiesce(container: String) async {
        for (token, loop) in retiring[container] ?? [:] {
            await loop.value
            forget(container, token)
        }
    }

    private func loopEnded(_ container: String, _ token: Int) {
        forget(container, token)
        if loopTokens[container] == token {  // it ended on its own (the check has no next run)
            loops[container] = nil
            loopTokens[container] = nil
        }
    }

    private func forget(_ container: String, _ token: Int) {
        retiring[container]?[token] = nil
        if retiring[container]?.isEmpty == true { retiring[container] = nil }
    }

    /// The current state of a watched container.
    public func state(of container: String) -> HealthState? { states[container] }

    /// Returns once the container is healthy or unhealthy, or its status (`starting`) after `timeout`.
    /// Throws when the container is not watched (it has no health check).
    public func waitHealthy(container: String, timeout: Duration) async throws -> HealthStatus {
        guard let state = states[container] else {
            throw HostError("wait for \(container) to be healthy", cause: "it has no health check", hint: "add a healthcheck to the service")
        }
        if state.status != .starting { return state.status }
        nextWaiter += 1
        let id = nextWaiter
        return await withCheckedContinuation { continuation in
            waiters[container, default: [:]][id] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(container, id)
            }
        }
    }

    private func expire(_ container: String, _ id: Int) {
        guard let waiter = waiters[container]?.removeValue(forKey: id) else { return }
        waiter.resume(returning: states[container]?.status ?? .starting)
    }

    private func nextDelay(_ container: String) -> Duration? {
        states[container]?.nextProbeDelay(now: prober.clock())
    }

    private func record(_ container: String, _ result: HealthProbeResult) {
        guard states[container] != nil else { return }
        states[container]!.record(result)
        let status = states[container]!.status
        guard status != .starting else { return }
        for waiter in (waiters.removeValue(forKey: container) ?? [:]).values { waiter.resume(returning: status) }
    }
}
