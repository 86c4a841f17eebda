import ArgumentParser
import BosunHost
import BosunModel
import BosunPlanner
import Foundation
import BosunRuntimeCLI

/// `bosun plan`: what converging to the desired state would do, like `terraform plan`.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the operations that would converge this host to the desired state, with their causes.",
        discussion: """
        The observed state is what bosun's inventory lists, as the host has it, and the images in the store — \
        the same observation `bosun apply` makes. The plan hash printed is what `apply --plan-hash` compares. \
        Exit codes as for validate.
        """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var registry: HostEngineOptions

    @Flag(help: "JSON instead of text.")
    var json = false

    func run() async throws {
        let (_, result) = try await source.load()
        guard let desired = result.state else {
            throw CommandFailure(.invalidManifests, "\(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); no plan")
        }
        let (engine, client) = try registry.engine(state: source.state)
        let observed: ObservedState
        do { observed = try await engine.observe() } catch {
            await client.shutdown()
            throw CommandFailure(.internalError, "cannot observe the host: \(error)")
        }
        await client.shutdown()
        let plan = Planner.plan(desired: desired, observed: observed)
        print(json ? PlanRenderer.json(plan) : PlanRenderer.text(plan, colour: isatty(STDOUT_FILENO) == 1))
    }
}
