import ArgumentParser
import BosunContainers
import BosunHost
import Foundation

/// `bosun ps [-a] [--format json]`: detached containers, like `docker ps`, with memory and pids from their cgroups.
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List detached containers (running ones; -a for all).")

    @OptionGroup var state: StateOptions
    @Flag(name: [.customShort("a"), .long], help: "Show every container, not only running ones.") var all = false
    @Option(help: "table (default) or json (one object per line).") var format = "table"

    func validate() throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format \(format): use table or json") }
    }

    func run() throws {
        let now = Date()
        let listed = state.detachedContainers().list().filter { all || $0.isRunning }
        // Containers a recreate kept aside until its gates pass (the inventory says which) are marked.
        let kept = Set(((try? InventoryStore(stateDirectory: state.resolvedStateDir))?.inventory.containers ?? [:])
            .filter { $0.value.role == .previous }.keys)
        if format == "json" {
            for status in listed { print(PsCommand.json(status, now: now, kept: kept.contains(status.id))) }
            return
        }
        var rows = [["NAME", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "MEM", "PIDS"]]
        for status in listed {
            let command = status.metadata.command.joined(separator: " ")
            let shortCommand = "\"" + (command.count > 20 ? String(command.prefix(19)) + "…" : command) + "\""
            rows.append([status.metadata.name + (kept.contains(status.id) ? " (kept)" : ""), status.metadata.image?.reference ?? "-", shortCommand,
                         HumanDuration.text(now.timeIntervalSince(status.metadata.created)) + " ago", status.statusText(now: now),
                         PsCommand.ports(status).joined(separator: ", "),
                         status.stats?.memoryUsage.map(PsCommand.bytes) ?? "-", status.stats?.pidsCurrent.map(String.init) ?? "-"])
        }
        print(TextTable.render(rows))
    }

    /// The ports as published at the last start (host ports chosen then), else as asked for.
    static func ports(_ status: ContainerStatus) -> [String] {
        status.metadata.publishedPorts ?? status.metadata.ports
    }

    static func bytes(_ value: Int64) -> String {
        value >= 1 << 30 ? String(format: "%.1fGiB", Double(value) / 1_073_741_824)
            : value >= 1 << 20 ? String(format: "%.1fMiB", Double(value) / 1_048_576) : String(format: "%.0fKiB", Double(value) / 1024)
    }

    static func json(_ status: ContainerStatus, now: Date, kept: Bool = false) -> String {
        var object: [String: Any] = [
            "name": status.metadata.name, "id": status.id, "kept": kept, "image": status.metadata.image?.reference ?? "", "command": status.metadata.command,
            "created": ISO8601DateFormatter().string(from: status.metadata.created), "status": status.statusText(now: now),
            "ports": PsCommand.ports(status), "labels": status.metadata.labels,
        ]
        switch status.state {
        case .running(let pid, let monitored):
            object["state"] = "running"
            object["pid"] = pid
            object["monitored"] = monitored
        case .exited(let record):
            object["state"] = "exited"
            object["exit_code"] = record.exitCode
            object["oom_killed"] = record.oomKilled
            object["finished_at"] = record.finishedAt.rfc3339
        case .unknown(let reason):
            object["state"] = "unknown"
            object["reason"] = reason
        }
        if let digest = status.metadata.image?.digest { object["image_digest"] = digest }
        if let memory = status.stats?.memoryUsage { object["memory_bytes"] = memory }
        if let pids = status.stats?.pidsCurrent { object["pids"] = pids }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
