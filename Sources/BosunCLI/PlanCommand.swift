import ArgumentParser
import BosunConverge
import BosunCycle
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
        the same observation `bosun apply` makes, through the same cycle (source, rewind guard, load, policy). \
        The plan hash printed is what `apply --plan-hash` compares. A source other than the one the state \
        directory belongs to is shown with a warning (apply refuses it without --switch-source). Exit codes as \
        for validate.
        """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var registry: HostEngineOptions

    @Flag(help: "Accept a ref that moved to a commit not descending from the last applied one.")
    var allowRewind = false

    @Flag(help: "Plan as apply --retry would: every quarantined project from the desired state in git, not its last good commit.")
    var retry = false

    @Flag(help: "JSON instead of text.")
    var json = false

    func run() async throws {
        let directory = source.state.resolvedStateDir
        _ = try source.state.imageStore()
        let journal = try ApplyCommand.openJournal(directory)
        let (engine, client) = try registry.engine(state: source.state)
        let report: CycleReport
        do {
            var cycle = try source.cycle(engine: engine, journal: journal, journalRepeats: true) { _ in }
            report = await cycle.run(.init(trigger: .manual, mode: .plan, allowRewind: allowRewind, retry: retry))
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        source.printDiagnostics(report)
        if let failure = source.failure(of: report, refused: "no plan") { throw failure }
        if case .planned(_, let plan) = report.outcome {
            print(json ? PlanRenderer.json(plan) : PlanRenderer.text(plan, colour: isatty(STDOUT_FILENO) == 1))
            if !json, let desired = report.desired {
                print(PlanCommand.gates(HealthGate.targets(plan: plan, desired: desired), removalsAfter: plan.splitAtGates.afterGates), terminator: "")
            }
        }
    }

    /// The health gate each created or recreated service will pass after the operations, and how it is updated.
    static func gates(_ targets: [HealthGate.Target], removalsAfter held: Plan = Plan(operations: [])) -> String {
        guard !targets.isEmpty else { return "" }
        var lines = ["", "Gates, after the operations (a failure ends the convergence failed; on failure rollback, from a repository, the project returns to its last good commit):"]
        for target in targets {
            let what = target.oneShot ? "must exit 0" : "must start, be healthy if it has a check, and keep running for \(target.policy.monitor)"
            let order = target.policy.order == .startFirst ? "start-first (the new container takes the traffic once healthy)"
                : "stop-first" + (target.policy.orderReason.map { " (\($0))" } ?? "")
            lines.append("  \(target.resource)  \(what); order \(order); on failure \(target.policy.failureAction.rawValue)")
        }
        if !held.isEmpty {
            lines.append("Removals wait until every gate passed (held when one fails): #" + held.operations.map { String($0.id) }.joined(separator: ", #"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
