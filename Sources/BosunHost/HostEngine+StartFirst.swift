public import BosunConverge
import BosunModel

/// Start-first updates (docs/convergence.md, "Start-first"): the new container starts beside the running
/// one, standby — its own address on the service's networks, its ports not published, its names not resolved
/// by peers — and the health gate hands it the traffic once it is healthy (`takeOver`).
extension HostEngine {
    /// The old container stays current in all but name: it runs and serves, marked kept (`previous`) so that
    /// the name resolves to the new one. When the new one cannot be created or started, it is removed and the
    /// old one is current again, having never stopped serving.
    func recreateBeside(_ target: ContainerTarget, running old: String) async throws {
        try await removeKept(named: target.name)
        try inventory.update { $0.containers[old]?.role = .previous }
        do {
            try await createContainer(target)
            let id = containerID(named: target.name)
            await watchHealth(id, started: try await containers.startBeside(id))
        } catch {
            if let new = inventory.inventory.containerID(named: target.name) {
                try? await stopRecorded(new)
                try? await removeRecorded(new)
            }
            try? inventory.update { $0.containers[old]?.role = nil }
            throw error
        }
    }

    /// The new container of `name` takes the published ports and names of the one kept beside it, which is
    /// then drained (its clients' open connections, for up to its stop grace period), stopped, and kept aside
    /// (stopped, its network released) until the gates pass. A kept container that runs was started beside
    /// (a stop-first recreate stops it first), so it is stopped even when there was nothing to move
    /// (`network_mode: none`).
    public func takeOver(container name: String) async throws -> TakeOver? {
        guard let current = inventory.inventory.containerID(named: name) else { return nil }
        let kept = inventory.inventory.previousID(named: name)
        let moved = try await containers.takeOver(current, from: kept)
        guard let kept else { return nil }
        let running = if case .running = await containers.status(kept) { true } else { false }
        guard moved || running else { return nil }
        var open = 0
        let began = ContinuousClock.now
        if running { open = await containers.drain(kept, limit: Self.grace(inventory.inventory.containers[kept]?.spec)) }
        let drained = (ContinuousClock.now - began).wholeMilliseconds
        try await stopRecorded(kept)
        await health.quiesce(container: kept)
        try await containers.setAside(kept)
        return TakeOver(from: kept, drainMilliseconds: drained, openConnections: open)
    }

    /// The container a recreate of `name` replaces: the current one — unless it never served (a start-first
    /// update whose gate failed and was not rolled back) while the kept one still runs and serves: then the
    /// never-serving one goes and the kept one is current again, to be replaced as it is.
    func replacedContainer(named name: String) async throws -> String {
        let id = containerID(named: name)
        guard let kept = inventory.inventory.previousID(named: name), inventory.inventory.containers[id] != nil,
              !(await containers.isServing(id)), case .running = await containers.status(kept) else { return id }
        try await stopRecorded(id)
        try await removeRecorded(id)
        try inventory.update { $0.containers[kept]?.role = nil }
        return kept
    }

    /// A rollback whose kept container still runs (the new one failed its gate before it took the traffic, or
    /// while the kept one drained): the traffic goes back to it if it had moved, and the new one is removed.
    func restoreRunning(_ target: ContainerTarget, kept: String) async throws {
        let current = inventory.inventory.containerID(named: target.name)
        _ = try await containers.takeOver(kept, from: current)
        if let current {
            try await stopRecorded(current)
            try await removeRecorded(current)
        }
        try inventory.update { $0.containers[kept]?.role = nil }
    }
}
