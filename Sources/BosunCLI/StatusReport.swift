import BosunContainers
import BosunConverge
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunModel
import Foundation
import BosunRuntimeCLI

/// What `bosun status` shows: every container bosun created with its state, health, uptime and image, the
/// networks and volumes, and the last convergence (commit and outcome), built from the inventory, the
/// containers' monitors and the journal. `json` is the documented shape (docs/convergence.md, "Status").
struct StatusReport {
    struct Container {
        var project: String
        var service: String
        var name: String
        var state: String
        var status: String
        var health: String?
        var startedAt: Date?
        var exitCode: Int32?
        var oomKilled = false
        var image: String
        var imageDigest: String?
        var configHash: String
        var memoryBytes: Int64?
        var pids: Int?
        /// From the running agent: restarts by the restart policy, and whether it is crash-looping.
        var restarts: Int?
        var crashLoop = false
    }

    /// Whether health and restarts came from a running agent (else health was probed once now).
    var fromAgent = false

    var containers: [Container] = []
    var networks: [String: String] = [:]
    var volumes: [String: String] = [:]
    var last: ConvergenceSummary?
    var lastApplied: ConvergenceSummary?
    /// By project: its commit, last good commit and quarantine (from the journal).
    var delivery: [String: ProjectDelivery] = [:]

    /// Collects the report. `probe` runs each running container's health check once now (nil: not probed).
    static func collect(state: StateOptions, probe: ((_ id: String, InventoryContainer) async -> String?)?) async throws -> StatusReport {
        let directory = state.resolvedStateDir
        var report = StatusReport()
        let inventory: Inventory
        do { inventory = try InventoryStore(stateDirectory: directory).inventory } catch {
            throw CommandFailure(.sourceUnavailable, "cannot read the inventory in \(directory): \(error)")
        }
        let detached = state.detachedContainers()
        let now = Date()
        for (id, entry) in inventory.containers.sorted(by: { ($0.value.project, $0.value.service, $0.key) < ($1.value.project, $1.value.service, $1.key) }) {
            var container = Container(project: entry.project, service: entry.service, name: entry.name, state: "created", status: "Created",
                                      image: entry.spec.image.description, configHash: entry.configHash)
            if let live = try? detached.inspect(id) {
                container.status = live.statusText(now: now)
                container.imageDigest = live.metadata.image?.digest
                container.memoryBytes = live.stats?.memoryUsage
                container.pids = live.stats?.pidsCurrent
                switch live.state {
                case .running:
                    container.state = "running"
                    container.startedAt = live.metadata.started
                    if let probe { container.health = await probe(id, entry) }
                case .exited(let record):
                    container.state = "exited"
                    container.exitCode = record.exitCode
                    container.oomKilled = record.oomKilled
                case .unknown(let reason):
                    container.state = "unknown"
                    container.status = "Unknown (\(reason))"
                }
            } else if !FileManager.default.fileExists(atPath: detached.directory(id)) {
                container.state = "missing"
                container.status = "Missing (removed outside bosun)"
            }
            if entry.role == .previous {
                // Stopped on purpose by a recreate, kept until its gates pass (or for the rollback): not a failure.
                container.state = "kept"
                container.status = "Kept aside (" + container.status + ")"
                container.health = nil
            }
            if entry.healthcheck == nil { container.health = nil }
            report.containers.append(container)
        }
        report.networks = inventory.networks.mapValues(\.project)
        report.volumes = inventory.volumes.mapValues(\.project)
        if let storage = try? FileJournalStorage(directory: StateLayout(directory).journal) {
            let segments = ((try? storage.segmentNames()) ?? []).compactMap { try? storage.read($0) }
            let history = ConvergenceHistory(segments: segments)
            report.last = history.convergences.last
            report.lastApplied = history.convergences.last { summary in
                guard let outcome = summary.outcome else { return false }
                return [.converged, .partiallyFailed, .noChange, .rolledBack].contains(outcome) && summary.commitID != nil
            }
            report.delivery = ProjectDelivery.collect(history)
        }
        return report
    }

    var text: String {
        var lines: [String] = []
        lines.append(fromAgent ? "Agent: running (health and restarts from it)" : "Agent: not answering (health probed once now)")
        if let last {
            let commit = last.commitID.map { " commit \($0.prefix(12))" } ?? ""
            let subject = last.beginBody.source.map { " \"\($0.subject)\"" } ?? ""
            lines.append("Last convergence: #\(last.seq) \(last.outcome?.rawValue ?? "in progress") at \(last.begin.time) (\(last.beginBody.trigger.rawValue))\(commit)\(subject)")
            for gate in (HistoryFormatter.gates(of: last)?.results ?? []) where !gate.passed {
                lines.append("  health gate failed: \(gate.verdict)")
            }
            if last.outcome == .rejected, let reason = last.endBody?.reason {
                lines.append("  rejected: \(reason.split(separator: "\n").first ?? "")")  // a refused commit: the host runs what it ran before
            }
        } else {
            lines.append("Last convergence: none (run bosun apply)")
        }
        if let applied = lastApplied, applied.seq != last?.seq, let commit = applied.commitID {
            lines.append("Last applied commit: \(commit.prefix(12)) (#\(applied.seq) \(applied.outcome?.rawValue ?? ""))")
        }
        let projects = Set(containers.map(\.project)).union(delivery.filter { $0.value.quarantine != nil }.keys).sorted()
        let deliveries = projects.compactMap { delivery[$0] }
        if !deliveries.isEmpty {
            lines.append("Projects:")
            lines += deliveries.flatMap(\.lines)
        }
        lines.append("")
        var rows = [["PROJECT", "SERVICE", "CONTAINER", "STATUS", "HEALTH", "RESTARTS", "IMAGE", "DIGEST", "MEM", "PIDS"]]
        for c in containers {
            let restarts = c.restarts.map { "\($0)" + (c.crashLoop ? " (crash loop)" : "") } ?? "-"
            rows.append([c.project, c.service, c.name, c.status, c.health ?? "-", restarts, c.image, c.imageDigest.map { String($0.prefix(19)) } ?? "-",
                         c.memoryBytes.map(Self.bytes) ?? "-", c.pids.map(String.init) ?? "-"])
        }
        lines.append(TextTable.render(rows))
        if !networks.isEmpty || !volumes.isEmpty {
            lines.append("")
            lines.append("Networks: " + (networks.isEmpty ? "none" : networks.keys.sorted().joined(separator: ", ")))
            lines.append("Volumes: " + (volumes.isEmpty ? "none" : volumes.keys.sorted().joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        let iso = ISO8601DateFormatter()
        let projects = Set(containers.map(\.project)).union(networks.values).union(volumes.values)
            .union(delivery.filter { $0.value.quarantine != nil }.keys).sorted()
        return .object([
            "health_source": .string(fromAgent ? "agent" : "probe"),
            "last_convergence": Self.summaryJSON(last),
            "last_applied": Self.summaryJSON(lastApplied),
            "projects": .array(projects.map { project in
                .object([
                    "name": .string(project),
                    "containers": .array(containers.filter { $0.project == project }.map { c in
                        .object([
                            "service": .string(c.service), "name": .string(c.name), "state": .string(c.state), "status": .string(c.status),
                            "health": c.health.map(JSONValue.string) ?? .null,
                            "started_at": c.startedAt.map { .string(iso.string(from: $0)) } ?? .null,
                            "exit_code": c.exitCode.map { .int(Int64($0)) } ?? .null, "oom_killed": .bool(c.oomKilled),
                            "image": .string(c.image), "image_digest": c.imageDigest.map(JSONValue.string) ?? .null,
                            "config_hash": .string(c.configHash),
                            "memory_bytes": c.memoryBytes.map { .int($0) } ?? .null, "pids": c.pids.map { .int(Int64($0)) } ?? .null,
                            "restarts": c.restarts.map { .int(Int64($0)) } ?? .null, "crash_loop": .bool(c.crashLoop),
                        ])
                    }),
                    "networks": .array(networks.filter { $0.value == project }.keys.sorted().map(JSONValue.string)),
                    "volumes": .array(volumes.filter { $0.value == project }.keys.sorted().map(JSONValue.string)),
                    "delivery": delivery[project]?.json ?? .null,
                ])
            }),
        ])
    }

    /// Health, restarts and crash loops from the agent's `status` answer, by container name.
    mutating func merge(agent body: JSONValue) {
        guard case .object(let object) = body, case .array(let entries)? = object["containers"] else { return }
        fromAgent = true
        for entry in entries {
            guard case .object(let fields) = entry, case .string(let name)? = fields["name"],
                  let index = containers.firstIndex(where: { $0.name == name && $0.state != "kept" }) else { continue }
            if case .string(let health)? = fields["health"] { containers[index].health = health }
            if case .int(let restarts)? = fields["restarts"] { containers[index].restarts = Int(restarts) }
            if case .bool(let looping)? = fields["crash_loop"] { containers[index].crashLoop = looping }
        }
    }

    /// A convergence as `status --json` shows it. (A free function: Swift 6.3's optimiser crashed on the
    /// nested closure form.)
    static func summaryJSON(_ summary: ConvergenceSummary?) -> JSONValue {
        guard let summary else { return .null }
        let outcome: JSONValue
        if let value = summary.outcome { outcome = .string(value.rawValue) } else { outcome = .null }
        let commit: JSONValue
        if let id = summary.commitID { commit = .string(id) } else { commit = .null }
        return .object([
            "seq": .int(summary.seq), "time": .string(summary.begin.time), "trigger": .string(summary.beginBody.trigger.rawValue),
            "outcome": outcome, "commit": commit,
        ])
    }

    static func bytes(_ value: Int64) -> String {
        value >= 1 << 20 ? String(format: "%.1fMiB", Double(value) / 1_048_576) : "\(value / 1024)KiB"
    }
}
