import ArgumentParser
import BosunConverge
import BosunCycle
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunModel
import BosunPlanner
import Foundation
import BosunRuntimeCLI

/// `bosun down`: removes what bosun created for some projects (or all) — containers (stopped with their
/// signal and grace period), networks, and with `--volumes` named volumes — like `docker compose down`.
/// Journaled as a manual convergence. Never touches what is not in bosun's inventory.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop and remove the containers and networks bosun created (for --project, or every project).",
        discussion: "Exit codes: 0 removed (or nothing to remove), 1 something could not be removed.")

    @OptionGroup var state: StateOptions
    @OptionGroup var registry: HostEngineOptions
    @Option(help: ArgumentHelp("Only this project (repeatable).", valueName: "name")) var project: [String] = []
    @Flag(help: "Also remove the projects' named volumes (their data is lost).") var volumes = false
    @Flag(help: "JSON instead of text.") var json = false

    func run() async throws {
        let directory = state.resolvedStateDir
        _ = try state.imageStore()
        let journal = try ApplyCommand.openJournal(directory)
        let (engine, client) = try registry.engine(state: state)
        defer { Task { await client.shutdown() } }
        let salt: [UInt8]
        do { salt = try HostIdentity.salt(stateDirectory: directory) } catch { throw CommandFailure(.internalError, "\(error)") }
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let convergence = Convergence(engine: engine, journal: journal, redactor: SecretRedactor(salt: salt), clock: clock, concurrency: 8)
        let inventory = engine.inventory.inventory
        let owned = Set(inventory.containers.values.map(\.project)).union(inventory.networks.values.map(\.project)).union(inventory.volumes.values.map(\.project))
        let targets = project.isEmpty ? owned : Set(project)
        for name in targets where !owned.contains(name) {
            FileHandle.standardError.write(Data("bosun: warning: project \(name) has nothing bosun created on this host\n".utf8))
        }
        let host = HostCycleHost(stateDirectory: directory, engine: engine) { holder in
            FileHandle.standardError.write(Data("bosun: waiting for the convergence in progress\(holder.map { " (pid \($0))" } ?? "")\n".utf8))
        }
        // Only the targeted projects are observed; desired keeps them with nothing in them, so the plan removes
        // their containers and networks, and their volumes when asked.
        let desired = DesiredState(projects: targets.sorted().map { name in
            var empty = Project(name: name, files: [], services: [], networks: [], volumes: [], secrets: [])
            empty.pruneVolumes = volumes
            return empty
        })
        let locked = HandedOver(LockedConvergence(convergence: convergence, host: host))
        let ran = try await InterruptibleConvergence.run { try await locked.value.run(desired, revision: nil, trigger: .manual, sweep: true) { all in
            var observed = all
            observed.containers = observed.containers.filter { targets.contains($0.project) }
            observed.previous = observed.previous.filter { targets.contains($0.project) }
            observed.networks = observed.networks.filter { inventory.networks[$0].map { targets.contains($0.project) } ?? false }
            observed.volumes = observed.volumes.filter { inventory.volumes[$0].map { targets.contains($0.project) } ?? false }
            return (observed, Planner.plan(desired: desired, observed: observed))
        } }
        guard let result = ran else { return }
        print(json ? ApplyRenderer.json(result) : ApplyRenderer.text(result, colour: isatty(STDOUT_FILENO) == 1))
        if result.outcome == .interrupted { throw PassthroughExit(130) }
        if ![.converged, .noChange].contains(result.outcome) { throw CommandFailure(.checkFailed, "") }
    }
}
