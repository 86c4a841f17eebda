import BosunContainers
import BosunNetwork
import Foundation

/// A start-first update's container side: the new container started standby beside the old one, its traffic
/// moved once it listens, the old one's clients drained.
extension ServiceContainers {
    public func startBeside(_ id: String) async throws -> StartedContainer {
        try await Blocking.run { try startNow(id, beside: true) }
    }

    public func takeOver(_ id: String, from old: String?) async throws -> Bool {
        guard let service = containerRecord(id)?.service?.service, service.networkMode ?? "bridge" == "bridge",
              let manager = try? networkManager(), !manager.isServing(containerID: id) else { return false }
        try await waitListening(id, ports: Set(service.ports.filter { $0.transport == .tcp }.map(\.containerPort)), limit: .seconds(10))
        return try await Blocking.run {
            guard try manager.takeOver(containerID: id, from: old) else { return false }
            let published = manager.publishedPorts(containerID: id).map(\.publishedText)
            try directory(id).record.update { $0?.publishedPorts = published }
            if let old { try directory(old).record.update { $0?.publishedPorts = nil } }
            return true
        }
    }

    public func isServing(_ id: String) async -> Bool {
        (try? networkManager())?.isServing(containerID: id) ?? true
    }

    /// Waits until the container listens on every one of `ports` (TCP), at most `limit`: a health check may pass
    /// before the server binds (or there is none), and the traffic must not move to a closed port. Throws when
    /// the container stops running first (the traffic stays where it is); after `limit` it goes on (a port the
    /// service publishes but opens only later is the service's business, as it is under stop-first).
    func waitListening(_ id: String, ports: Set<Int>, limit: Duration) async throws {
        guard !ports.isEmpty else { return }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let status = await status(id)
            guard status == .running, let tables = socketTables(id) else {
                let how = if case .exited(let code) = status { "it exited with code \(code)" } else { "it stopped running" }
                let wanted = ports.sorted().map { "\($0)/tcp" }.joined(separator: ", ")
                throw HostError("move the traffic to container \(id)", cause: "\(how) before it listened on \(wanted)",
                                hint: "`bosun logs` of the service shows its output")
            }
            if ports.isSubset(of: ContainerSockets.listeningPorts(tables: tables)) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    public func drain(_ id: String, limit: Duration) async -> Int {
        let deadline = ContinuousClock.now + limit
        while true {
            guard let tables = socketTables(id) else { return 0 }
            let open = ContainerSockets.inboundConnections(tables: tables)
            if open == 0 || ContinuousClock.now >= deadline || Task.isCancelled { return open }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The TCP socket tables of the container's network namespace; nil when it does not run.
    func socketTables(_ id: String) -> [String]? {
        guard let pid = try? containers.runtime.state(id: id).pid, pid > 0 else { return nil }
        return ContainerSockets.tables(pid: pid)
    }
}
