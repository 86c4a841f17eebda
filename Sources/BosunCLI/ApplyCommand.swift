import ArgumentParser
import BosunConverge
import BosunCycle
import BosunGit
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunModel
import BosunPlanner
import Foundation
import BosunRuntimeCLI

/// `bosun apply`: observe → plan → execute → journal, like `terraform apply`.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Converge this host to the desired state, recording the convergence in the journal.",
        discussion: """
        Observes what bosun created, plans, and runs the plan: independent operations concurrently, depends_on \
        conditions honoured, a failure skipping only what depends on it. With --plan-hash, refuses when the plan \
        is not the one `bosun plan` showed. Exit codes: 0 converged (or nothing to do), 1 partially failed, \
        failed, refused or invalid manifests, 3 source unavailable, 5 a project runs its last good commit rather \
        than this one: a health gate failed and it was rolled back, now or by an earlier convergence; 130 stopped \
        by Ctrl-C or SIGTERM (operations in flight finish, the convergence is journaled interrupted; a second one \
        stops at once). A project whose desired state failed its gate is quarantined: converged from its last good \
        commit until its desired state changes, or --retry.
        """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var registry: HostEngineOptions

    @Option(help: ArgumentHelp("Refuse unless the plan's hash is this one (as `bosun plan` printed it).", valueName: "sha256:…"))
    var planHash: String?

    @Flag(help: "Accept a ref that moved to a commit not descending from the last applied one.")
    var allowRewind = false

    @Flag(help: "Converge from this source though the state directory belongs to another one (journaled as a switch: what only the other source made is removed).")
    var switchSource = false

    @Flag(help: "Release every quarantine: converge the desired state in git as it is, even one that failed its gate (journaled).")
    var retry = false

    @Flag(help: "JSON instead of text.")
    var json = false

    @Option(help: ArgumentHelp("How many operations may run at once.", valueName: "n"))
    var concurrency = 8

    func run() async throws {
        let directory = source.state.resolvedStateDir
        _ = try source.state.imageStore()  // creates the state directory (0700) when missing
        let journal = try ApplyCommand.openJournal(directory)
        let (engine, client) = try registry.engine(state: source.state)
        do {
            try await apply(engine: engine, journal: journal)
        } catch let failure as CommandFailure {
            await client.shutdown()
            throw failure
        } catch let exit as PassthroughExit {
            await client.shutdown()
            throw exit
        } catch {
            // Anything else (the journal's storage on a full disk, the host) is an internal or host error, exit 4.
            await client.shutdown()
            throw CommandFailure(.internalError, "apply: \(error)")
        }
        await client.shutdown()
    }

    func apply(engine: HostEngine, journal: Journal) async throws {
        let cycle = try source.cycle(engine: engine, journal: journal, concurrency: concurrency, journalRepeats: true) { holder in
            FileHandle.standardError.write(Data("bosun: waiting for the convergence in progress\(holder.map { " (pid \($0))" } ?? "")\n".utf8))
        }
        let clockStart = ContinuousClock.now
        let request = ConvergenceCycle.Request(trigger: .manual, mode: .apply(expectedPlanHash: planHash), allowRewind: allowRewind,
                                               switchSource: switchSource, retry: retry)
        let handed = HandedOver(cycle)
        let report = try await InterruptibleConvergence.run { await handed.value.run(request) }
        let elapsed = ContinuousClock.now - clockStart
        source.printDiagnostics(report)
        if case .rejected(.plan, let reason) = report.outcome { throw CommandFailure(.checkFailed, reason) }
        if let failure = source.failure(of: report, refused: "nothing applied (journaled as rejected)") { throw failure }
        switch report.outcome {
        case .converged(let result):
            if json {
                print(ApplyRenderer.json(result, elapsed: elapsed, rollback: report.rollback))
            } else {
                print(ApplyRenderer.text(result, colour: isatty(STDOUT_FILENO) == 1))
                if let rollback = report.rollback { print(ApplyRenderer.text(rollback, colour: isatty(STDOUT_FILENO) == 1)) }
            }
            if let rollback = report.rollback {
                // 5 only when every failed project serves its last good state again; else the failure stands.
                let whole = rollback.rolledBack && rollback.problem == nil && rollback.quarantined.allSatisfy { $0.servingCommitID != nil }
                    && rollback.quarantined.count == rollback.projects.count
                throw CommandFailure(whole ? .rolledBack : .checkFailed, "")
            }
            if result.outcome == .interrupted {
                let created = result.report.succeeded > 0 ? ": the next convergence (apply or the agent) gates what this one created" : ""
                FileHandle.standardError.write(Data("bosun: interrupted and journaled\(created)\n".utf8))
                throw PassthroughExit(130)
            }
            if ![.converged, .noChange].contains(result.outcome) { throw CommandFailure(.checkFailed, "") }
            if let held = report.held, !held.projectCommits.isEmpty {
                let projects = held.projectCommits.keys.sorted().joined(separator: ", ")
                throw CommandFailure(.rolledBack, "\(projects) \(held.projectCommits.count == 1 ? "runs its" : "run their") last good state, not this commit "
                                     + "(quarantined: see bosun status; bosun apply --retry tries the commit again)")
            }
        default:
            return
        }
    }

    static func openJournal(_ directory: String) throws -> Journal {
        do {
            let storage = try FileJournalStorage(directory: StateLayout(directory).journal)
            let journal = Journal(storage: storage, clock: { Int64(Date().timeIntervalSince1970 * 1000) },
                                  genesis: HostIdentity.genesis(bosunVersion: BosunVersion.current))
            journal.signingKey = try HostIdentity.signingKey(stateDirectory: directory)
            try journal.open()
            return journal
        } catch {
            throw CommandFailure(.internalError, "cannot open the journal in \(directory)/journal: \(error)")
        }
    }
}

/// How `apply` prints a convergence.
enum ApplyRenderer {
    static func text(_ result: Convergence.Result, colour: Bool) -> String {
        var lines = result.swept.map { "swept what an interrupted convergence left: \($0.summary)" }
        lines.append(PlanRenderer.text(result.plan, colour: colour))
        // In the order they ran: the operations, the gates, then the removals that waited for the gates.
        let afterGates = result.gates.isEmpty ? [] : Set(result.plan.splitAtGates.afterGates.operations.map(\.id))
        func operationLines(_ after: Bool) -> [String] {
            ExecutionReport(outcomes: result.report.outcomes.filter { afterGates.contains($0.id) == after }, startedAt: 0, endedAt: 0)
                .lines(for: result.plan)
        }
        if !result.plan.isEmpty {
            lines.append("")
            lines += operationLines(false)
        }
        if !result.gates.isEmpty {
            lines.append("")
            for gate in result.gates {
                lines.append(gate.passed ? "gate passed  \(gate.resource) (\(gate.container), \(gate.seconds))"
                    : "gate FAILED  \(gate.resource) (\(gate.container), \(gate.check.rawValue), \(gate.seconds)): \(gate.reason ?? "failed")"
                        + (gate.lastOutput.map { "\n             last probe output: \($0)" } ?? ""))
            }
            if !afterGates.isEmpty {
                lines.append("")
                lines += operationLines(true)
            }
        }
        let report = result.report
        lines.append("")
        lines.append("\(result.outcome.rawValue): \(report.succeeded) succeeded, \(report.failed) failed, \(report.skipped) skipped"
                     + (result.beginSeq.map { " (journal #\($0))" } ?? ""))
        if let reason = result.reason { lines.append("bosun: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// What followed a failed gate: the quarantines, and the rollback convergence as `text` prints one.
    static func text(_ rollback: RollbackReport, colour: Bool) -> String {
        var lines = [""]
        for quarantine in rollback.quarantined {
            lines.append("quarantined  \(quarantine.project) at commit \(String((quarantine.commitID ?? "?").prefix(12)))"
                         + (quarantine.servingCommitID.map { ", returning to \($0.prefix(12))" } ?? ", left as it failed (no earlier good state)"))
        }
        for note in rollback.notes where !note.contains("no earlier good state") { lines.append("bosun: \(note)") }
        if let problem = rollback.problem { lines.append("bosun: not rolled back: \(problem)") }
        if let result = rollback.result {
            lines.append("")
            lines.append("rollback (trigger rollback):")
            lines.append(text(result, colour: colour))
        }
        return lines.joined(separator: "\n")
    }

    /// `elapsed`: observe, plan, execute and journal — the convergence itself, without reading the source.
    static func json(_ result: Convergence.Result, elapsed: Duration? = nil, rollback: RollbackReport? = nil) -> String {
        let results: [JSONValue] = result.report.outcomes.map { outcome in
            var fields: [String: JSONValue] = ["id": .int(Int64(outcome.id)), "duration_ms": .int(outcome.durationMilliseconds)]
            switch outcome.status {
            case .succeeded: fields["status"] = .string("succeeded")
            case .failed(let error): fields["status"] = .string("failed"); fields["error"] = .string(error)
            case .skipped(let cause): fields["status"] = .string("skipped"); fields["cause"] = .string(cause)
            }
            return .object(fields)
        }
        var fields: [String: JSONValue] = [
            "plan_hash": .string(result.plan.hash), "outcome": .string(result.outcome.rawValue),
            "journal_seq": result.beginSeq.map { .int($0) } ?? .null, "results": .array(results),
            "elapsed_us": elapsed.map { .int($0.components.seconds * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000) } ?? .null,
        ]
        if !result.swept.isEmpty { fields["swept"] = JSONValue.encoding(result.swept) }
        if !result.gates.isEmpty { fields["gates"] = JSONValue.encoding(result.gates) }
        if let reason = result.reason { fields["reason"] = .string(reason) }
        if let rollback {
            var rolled: [String: JSONValue] = ["projects": JSONValue.encoding(rollback.projects), "quarantined": JSONValue.encoding(rollback.quarantined),
                                               "outcome": rollback.result.map { .string($0.outcome.rawValue) } ?? .null]
            if let record = rollback.record { rolled["to"] = JSONValue.encoding(record.projects) }
            if let result = rollback.result, let parsed = JSONValue.parse(Array(json(result).utf8)) { rolled["convergence"] = parsed }
            if let problem = rollback.problem { rolled["problem"] = .string(problem) }
            fields["rollback"] = .object(rolled)
        }
        let object: JSONValue = .object(fields)
        return String(decoding: object.canonicalBytes, as: UTF8.self)
    }
}
