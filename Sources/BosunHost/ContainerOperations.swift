public import BosunConverge
public import BosunJournal
public import BosunModel
public import BosunOCI
public import BosunPlanner

/// The container side of the host engine: what the container monitor provides. `HostEngine` composes these
/// (recreate is stop + remove + create + start), keeps the inventory, computes the mounts and runs the
/// health monitor; an implementation only has to act on one container at a time.
///
/// Every call but `create` names the container by its id (its key on the host: directory, runtime id, cgroup,
/// network record), which is its name for every container but one created beside another of its name.
public protocol ContainerOperations: Sendable {
    /// Creates the container of `target` as `id` from its image — the bundle with Docker's isolation, `mounts`
    /// (named volumes, binds, tmpfs, already resolved), its networks attached — without starting it. The
    /// container carries `target.name` as its name, `target.configHash`, its project and service.
    func create(_ target: ContainerTarget, id: String, mounts: [RuntimeSpec.Mount]) async throws
    /// Starts a created or stopped container (supervised by its monitor from then on).
    func start(_ name: String) async throws -> StartedContainer
    /// Applies new resource limits to a running container's cgroup, without restarting it.
    func updateLimits(_ name: String, to limits: ResourceLimits) async throws
    /// Sends `signal` (nil: SIGTERM), then SIGKILL after `grace`; returns once it exited. Stopped is not an error.
    func stop(_ name: String, signal: String?, grace: Duration) async throws
    /// Removes a stopped container: bundle, rootfs, network attachments, monitor. Missing is not an error.
    func remove(_ name: String) async throws
    /// Removes what an interrupted create left of `name` — a directory, an overlay mount, a network attachment —
    /// unless the process that created it still runs or the container started (then `kept`, with the reason).
    /// Nothing there is `absent`. Never throws: a failure is `failed` with its cause.
    func removeInterrupted(_ name: String) async -> InterruptedRemoval
    /// What the container is doing now (`missing` when the host does not have it).
    func status(_ name: String) async -> ObservedContainer.Status
    /// The IPv4 address of a running container on its first network (http and tcp probes), nil without one.
    func address(_ name: String) async -> String?
    /// Returns the exit code once the container exited; throws when it still runs after `timeout`.
    func waitExit(_ name: String, timeout: Duration) async throws -> Int32
    /// Runs a command in the running container (health probes), with a timeout.
    func exec(_ name: String, argv: [String], timeout: Duration) async throws -> ExecOutput
    /// The host paths the container binds, by target in the container (from its bundle); empty when unknown.
    func bindSources(_ name: String) async -> [String: String]
    /// Writes every container record of an older bosun's format in today's (nothing restarts); returns the
    /// names migrated and the ones that could not be, with why.
    func migrateRecords() async -> RecordMigration
    /// Releases what a stopped container holds that a replacement of the same name needs — its network
    /// attachment: address, published ports, DNS names — and keeps everything else (files, overlay, record),
    /// so that `start` can start it again (it is attached afresh then).
    func setAside(_ id: String) async throws
    /// Makes ready what a stopped container needs to start again (its root filesystem mounted, from its own
    /// image); throws, changing nothing else, when it cannot start.
    func prepareStart(_ id: String) async throws
    /// Starts a created container beside the one it replaces (start-first): on its networks with its own
    /// address, its ports not published and its names not resolved by peers until `takeOver`.
    func startBeside(_ id: String) async throws -> StartedContainer
    /// Moves the published ports and network names of `old` (nil: none) to `id`, which was started beside it;
    /// false when `id` already serves.
    func takeOver(_ id: String, from old: String?) async throws -> Bool
    /// Whether the container serves (false while it is a start-first update's standby container).
    func isServing(_ id: String) async -> Bool
    /// Waits until no client connection into the container remains open, at most `limit`; returns how many
    /// are still open then.
    func drain(_ id: String, limit: Duration) async -> Int
}

extension ContainerOperations {
    /// Containers that do not record their mounts (fakes) report none.
    public func bindSources(_ name: String) async -> [String: String] { [:] }
    /// Containers without records on disk (fakes) have nothing to migrate.
    public func migrateRecords() async -> RecordMigration { RecordMigration() }
    /// Containers without networks (fakes) hold nothing to release.
    public func setAside(_ id: String) async throws {}
    /// Containers without files (fakes) are always ready.
    public func prepareStart(_ id: String) async throws {}
    /// Containers without networks (fakes) have nothing to hold back.
    public func startBeside(_ id: String) async throws -> StartedContainer { try await start(id) }
    public func takeOver(_ id: String, from old: String?) async throws -> Bool { false }
    public func isServing(_ id: String) async -> Bool { true }
    public func drain(_ id: String, limit: Duration) async -> Int { 0 }
}

/// What `ContainerOperations.migrateRecords` did.
public struct RecordMigration: Sendable, Hashable {
    public var migrated: [String] = []
    /// A container whose record could not be migrated, and why; it keeps its old files and is tried again.
    public var failed: [String: String] = [:]
    public init(migrated: [String] = [], failed: [String: String] = [:]) {
        self.migrated = migrated
        self.failed = failed
    }
}

/// A container that has just started.
public struct StartedContainer: Sendable, Hashable {
    /// Milliseconds since the epoch.
    public var startedAt: Int64
    /// Its IPv4 address on its first network, for http and tcp probes (nil without one).
    public var address: String?
    public init(startedAt: Int64, address: String?) {
        self.startedAt = startedAt
        self.address = address
    }
}

/// What `ContainerOperations.removeInterrupted` did.
public struct InterruptedRemoval: Sendable, Hashable {
    public var action: SweptContainer.Action
    public var reason: String?
    public init(_ action: SweptContainer.Action, reason: String? = nil) {
        self.action = action
        self.reason = reason
    }
}
