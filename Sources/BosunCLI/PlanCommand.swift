import ArgumentParser
import BosunModel
import BosunPlanner
import Foundation

/// `bosun plan`: what converging to the desired state would do, like `terraform plan`.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the operations that would converge this host to the desired state, with their causes.",
        discussion: """
        The observed state is the images in the store; containers, networks and volumes are observed once the \
        agent keeps an inventory (until then every container appears as new). Exit codes as for validate.
        """)

    @OptionGroup var source: SourceOptions

    @Flag(help: "JSON instead of text.")
    var json = false

    func run() async throws {
        let (_, result) = try await source.load()
        guard let desired = result.state else {
            throw CommandFailure(.invalidManifests, "\(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); no plan")
        }
        let images = Set(try source.state.imageStore().records().keys)
        let plan = Planner.plan(desired: desired, observed: ObservedState(images: images))
        print(json ? PlanRenderer.json(plan) : PlanRenderer.text(plan, colour: isatty(STDOUT_FILENO) == 1))
    }
}
