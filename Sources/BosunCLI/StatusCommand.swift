import ArgumentParser
import BosunAgent
import BosunConverge
import BosunDaemon
import BosunHost
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun status`: the projects bosun converged on this host — each container's state, health (probed once
/// now), uptime, image digest — plus networks, volumes and the last convergence with its commit and outcome.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what bosun runs on this host: containers, health, images, the last convergence.",
        discussion: "Health checks run once now (use --no-probe to skip them). Exit code 0, or 1 when a container is not running or unhealthy.")

    @OptionGroup var state: StateOptions
    @Flag(help: "JSON instead of text (shape in docs/convergence.md).") var json = false
    @Flag(help: "Do not run health checks; show health as unknown.") var noProbe = false
    @Option(help: ArgumentHelp("The agent's control socket, asked for health and restarts (default: $BOSUN_CONTROL_SOCKET or /run/bosun/agent.sock).", valueName: "path"))
    var socket: String?

    func run() async throws {
        let runtime = state.detachedContainers().runtime
        let prober = HealthProber(exec: ServiceContainers.runtimeExec(runtime), clock: { Int64(Date().timeIntervalSince1970 * 1000) })
        let directory = state.resolvedStateDir
        let agent = try? ControlClient.send(ControlRequest(command: "status"), to: socket ?? ProcessInfo.processInfo.environment["BOSUN_CONTROL_SOCKET"] ?? "/run/bosun/agent.sock", timeout: 5)
        let probe: ((String, InventoryContainer) async -> String?)? = noProbe || agent?.ok == true ? nil : { id, container in
            guard let check = container.healthcheck else { return nil }
            let address = ServiceContainers.address(stateDirectory: directory, name: id)
            let result = await prober.probe(check, container: id, address: address)
            return result.exitCode == 0 ? "healthy" : "unhealthy"
        }
        var report = try await StatusReport.collect(state: state, probe: probe)
        if let agent, agent.ok, let body = agent.body { report.merge(agent: body) }
        if json {
            print(String(decoding: report.json.canonicalBytes, as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.containers.contains(where: { (!["running", "kept"].contains($0.state) && !($0.state == "exited" && $0.exitCode == 0)) || $0.health == "unhealthy" }) {
            throw CommandFailure(.checkFailed, "")
        }
    }
}
