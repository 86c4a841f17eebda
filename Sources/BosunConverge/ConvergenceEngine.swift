public import BosunJournal
public import BosunModel
public import BosunPlanner

/// Everything the executor asks of the host, one method per operation kind plus the waits that depends_on
/// conditions need and the observation the planner starts from. The executor decides nothing: it calls
/// these in the plan's order. Implementations: `HostEngine` (real) and `RecordingEngine` (tests).
///
/// Every method may be called concurrently with others for different resources.
public protocol ConvergenceEngine: Sendable {
    /// Pulls `image` into the image store (present or not: the plan only asks when it must).
    func pullImage(_ image: ImageReference) async throws
    /// Creates (idempotently) the bridge network `network` of `project`.
    func createNetwork(_ network: Network, project: Project) async throws
    /// Creates (idempotently) the named volume `volume` of `project`.
    func createVolume(_ volume: Volume, project: Project) async throws
    /// Creates the container of a service, not started.
    func createContainer(_ container: ContainerTarget) async throws
    /// Starts a created or stopped container.
    func startContainer(_ container: ContainerTarget) async throws
    /// Applies the service's resource limits to its running container, without a restart.
    func updateLimits(_ container: ContainerTarget) async throws
    /// Replaces the container of the service by a new one and keeps the old one aside (until the gates passed:
    /// `removeKept`). Stop-first stops the old one first; start-first (`container.order`) starts the new one
    /// beside it, without its published ports and network names, which `takeOver` moves once it is healthy.
    func recreateContainer(_ container: ContainerTarget) async throws
    /// Moves the published ports and network names of the service whose container is `name` from the container
    /// a start-first recreate kept aside to the new one (one nftables transaction), waits for the connections
    /// to the old one to drain (at most its stop grace period) and stops it. Nil when there was nothing to move
    /// (a stop-first recreate, a create, a container that already serves).
    func takeOver(container name: String) async throws -> TakeOver?
    /// Removes the current container of the service and starts the one kept aside in its place.
    func restoreContainer(_ container: ContainerTarget, kept: ObservedContainer) async throws
    /// Removes the container kept aside for `name` (nothing when there is none).
    func removeKept(named name: String) async throws
    /// Stops a container bosun created (its stop signal, then SIGKILL after its grace period).
    func stopContainer(_ container: ObservedContainer) async throws
    /// Removes a stopped container bosun created (its named volumes stay).
    func removeContainer(_ container: ObservedContainer) async throws
    /// Removes a network bosun created; no container may be attached.
    func removeNetwork(named name: String) async throws
    /// Deletes a named volume bosun created, and its data.
    func removeVolume(named name: String) async throws

    /// Returns once the container runs; throws when it does not within `timeout` or exited.
    func waitStarted(container name: String, timeout: Duration) async throws
    /// Returns the container's health once it is no longer `starting` (or `starting` when `timeout` passed).
    func waitHealthy(container name: String, timeout: Duration) async throws -> HealthStatus
    /// Returns the container's exit code once it exited; throws when it still runs after `timeout`.
    func waitCompleted(container name: String, timeout: Duration) async throws -> Int32
    /// What the health gate sees of a container now: running or not, its effective health check and health.
    func gateObservation(container name: String) async -> GateObservation

    /// One snapshot of what bosun created on this host, for the planner.
    func observe() async throws -> ObservedState
    /// The digest of the stored image `image` (for the journal), nil when it is not stored.
    func imageDigest(_ image: ImageReference) async -> String?
    /// Removes what an interrupted convergence left of the containers it began to create and never recorded
    /// (the inventory's pending containers), called at the start of a convergence, under the convergence lock.
    /// Never throws: what cannot be removed is reported and tried again next time.
    func sweepInterrupted() async -> [SweptContainer]
}

extension ConvergenceEngine {
    /// Nothing to sweep: an engine without pending creates.
    public func sweepInterrupted() async -> [SweptContainer] { [] }
}

/// What a start-first switch did: when the traffic moved, and how the old container's connections drained.
public struct TakeOver: Sendable, Hashable, Codable {
    /// The container that served until the switch (its id).
    public var from: String
    /// How long the old container's open connections took to close after the switch, in milliseconds (up to
    /// its stop grace period).
    public var drainMilliseconds: Int64
    /// Connections still open when the old container was stopped (0 when they all drained).
    public var openConnections: Int

    public init(from: String, drainMilliseconds: Int64, openConnections: Int) {
        self.from = from
        self.drainMilliseconds = drainMilliseconds
        self.openConnections = openConnections
    }

    enum CodingKeys: String, CodingKey { case from, drainMilliseconds = "drain_ms", openConnections = "open_connections" }
}

/// The container of one desired service: what create, start, update and recreate need.
public struct ContainerTarget: Sendable, Hashable {
    public var project: Project
    public var service: Service
    /// The container's name: `container_name`, or `<project>-<service>-1` as Compose names it.
    public var name: String
    /// The config hash the container will carry (the plan's target hash).
    public var configHash: String
    /// How a recreate replaces the running container (`RolloutPolicy`): start-first starts the new one beside
    /// it, and the health gate moves the traffic (`ConvergenceEngine.takeOver`).
    public var order: UpdateConfig.Order

    public init(project: Project, service: Service, name: String, configHash: String, order: UpdateConfig.Order = .stopFirst) {
        self.project = project
        self.service = service
        self.name = name
        self.configHash = configHash
        self.order = order
    }

    /// The container name bosun gives a service of a project.
    public static func containerName(project: String, service: Service) -> String {
        service.containerName ?? "\(project)-\(service.name)-1"
    }
}

/// A container's health as Docker reports it.
public enum HealthStatus: String, Sendable, Hashable, Codable {
    /// Within its start period, or no probe has decided yet.
    case starting
    case healthy
    /// `retries` probes in a row failed.
    case unhealthy
}
