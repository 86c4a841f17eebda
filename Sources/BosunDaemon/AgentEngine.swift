import BosunConverge
import BosunHost
import BosunJournal
import BosunModel
import BosunPlanner

/// The host engine as the agent drives it: every operation goes to the `HostEngine`, and observations carry
/// the stopped containers the restart policies keep stopped for now, so a convergence does not start what a
/// backoff, an `on-failure` clean exit or a manual stop holds.
struct AgentEngine: ConvergenceEngine {
    let host: HostEngine
    /// Given an observation, the stopped containers to keep stopped.
    let keepStopped: @Sendable (ObservedState) async -> Set<String>

    func pullImage(_ image: ImageReference) async throws { try await host.pullImage(image) }
    func createNetwork(_ network: Network, project: Project) async throws { try await host.createNetwork(network, project: project) }
    func createVolume(_ volume: Volume, project: Project) async throws { try await host.createVolume(volume, project: project) }
    func createContainer(_ container: ContainerTarget) async throws { try await host.createContainer(container) }
    func startContainer(_ container: ContainerTarget) async throws { try await host.startContainer(container) }
    func updateLimits(_ container: ContainerTarget) async throws { try await host.updateLimits(container) }
    func recreateContainer(_ container: ContainerTarget) async throws { try await host.recreateContainer(container) }
    func restoreContainer(_ container: ContainerTarget, kept: ObservedContainer) async throws { try await host.restoreContainer(container, kept: kept) }
    func removeKept(named name: String) async throws { try await host.removeKept(named: name) }
    func takeOver(container name: String) async throws -> TakeOver? { try await host.takeOver(container: name) }
    func stopContainer(_ container: ObservedContainer) async throws { try await host.stopContainer(container) }
    func removeContainer(_ container: ObservedContainer) async throws { try await host.removeContainer(container) }
    func removeNetwork(named name: String) async throws { try await host.removeNetwork(named: name) }
    func removeVolume(named name: String) async throws { try await host.removeVolume(named: name) }
    func waitStarted(container name: String, timeout: Duration) async throws { try await host.waitStarted(container: name, timeout: timeout) }
    func waitHealthy(container name: String, timeout: Duration) async throws -> HealthStatus {
        try await host.waitHealthy(container: name, timeout: timeout)
    }
    func waitCompleted(container name: String, timeout: Duration) async throws -> Int32 {
        try await host.waitCompleted(container: name, timeout: timeout)
    }
    func gateObservation(container name: String) async -> GateObservation { await host.gateObservation(container: name) }
    func imageDigest(_ image: ImageReference) async -> String? { await host.imageDigest(image) }
    func sweepInterrupted() async -> [SweptContainer] { await host.sweepInterrupted() }

    func observe() async throws -> ObservedState {
        var observed = try await host.observe()
        observed.keptStopped = await keepStopped(observed)
        return observed
    }
}
