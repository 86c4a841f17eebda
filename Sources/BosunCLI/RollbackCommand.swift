import ArgumentParser
import BosunConverge
import BosunCycle
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun rollback`: returns projects to the desired state of an earlier convergence, read back from the
/// mirror at its commit, and pins them there until their desired state in git changes (or `--retry`).
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Return projects to an earlier good desired state (journaled and gated), pinned there until git changes them.",
        discussion: """
        Without --to, each project returns to its last good state other than its current one (the newest \
        convergence that ended converged or rolled-back with a different desired state for it). --to SEQ takes \
        the commits of convergence SEQ (`bosun history`), --to COMMIT that commit (a prefix the journal knows, \
        or a full id in the mirror). Every project by default; --project (repeatable) chooses. The other \
        projects converge from the ref as `apply` would. The commits read pass the host's policy; each project \
        is pinned (a quarantine with cause rollback) until its desired state in git changes or \
        `bosun sync --retry` / `bosun apply --retry`. Exit 0 rolled back, 1 failed or refused, 3 source unavailable.
        """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var registry: HostEngineOptions

    @Option(name: .customLong("project"), help: ArgumentHelp("A project to roll back (repeatable; default: every project).", valueName: "name"))
    var projects: [String] = []

    @Option(help: ArgumentHelp("The convergence (journal seq) or commit to return to.", valueName: "seq|commit"))
    var to: String?

    @Flag(help: "JSON instead of text.")
    var json = false

    func run() async throws {
        let directory = source.state.resolvedStateDir
        _ = try source.state.imageStore()
        let journal = try ApplyCommand.openJournal(directory)
        let history = ConvergenceHistory(records: try Self.records(directory))
        let targets = try Self.targets(history: history, projects: projects, to: to)
        let (engine, client) = try registry.engine(state: source.state)
        let report: CycleReport
        do {
            let cycle = try source.cycle(engine: engine, journal: journal, journalRepeats: true) { holder in
                FileHandle.standardError.write(Data("bosun: waiting for the convergence in progress\(holder.map { " (pid \($0))" } ?? "")\n".utf8))
            }
            let reason = "asked: bosun rollback" + (projects.isEmpty ? "" : " --project " + projects.joined(separator: ",")) + (to.map { " --to \($0)" } ?? "")
            let handed = HandedOver(cycle)
            report = try await InterruptibleConvergence.run { await handed.value.rollBack(to: targets, reason: reason) }
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        source.printDiagnostics(report)
        if let failure = source.failure(of: report, refused: "nothing rolled back") { throw failure }
        guard case .converged(let result) = report.outcome else { return }
        print(json ? ApplyRenderer.json(result) : ApplyRenderer.text(result, colour: isatty(STDOUT_FILENO) == 1))
        if result.outcome == .interrupted { throw PassthroughExit(130) }
        if result.outcome != .rolledBack { throw CommandFailure(.checkFailed, "") }
    }

    static func records(_ directory: String) throws -> [JournalRecord] {
        do {
            let storage = try FileJournalStorage(directory: StateLayout(directory).journal)
            return try storage.segmentNames().flatMap { JournalRecord.records(in: try storage.read($0)) }
        } catch {
            throw CommandFailure(.internalError, "cannot read the journal in \(directory): \(error)")
        }
    }

    /// Project → commit, from the journal: what `--project` and `--to` name.
    static func targets(history: ConvergenceHistory, projects: [String], to: String?) throws -> [String: String] {
        let known = Set(history.convergences.flatMap { $0.beginBody.projectHashes.map { Array($0.keys) } ?? [] })
        let current = history.convergences.last { $0.beginBody.projectHashes != nil }?.beginBody.projectHashes ?? [:]
        let names = projects.isEmpty ? Array(current.keys) : projects
        for name in names where !known.contains(name) {
            throw CommandFailure(.invalidManifests, "the journal has no convergence of project \(name); known: \(known.sorted().joined(separator: ", "))")
        }
        guard !names.isEmpty else { throw CommandFailure(.invalidManifests, "the journal has no convergence to roll back from") }
        var targets: [String: String] = [:]
        for name in names.sorted() {
            if let to, let seq = Int64(to), to.count < 7 || history.convergence(seq) != nil {
                guard let commits = history.projectCommits(at: seq) else {
                    throw CommandFailure(.invalidManifests, "convergence #\(seq) read no commit (see bosun history)")
                }
                guard let commit = commits[name] else {
                    throw CommandFailure(.invalidManifests, "convergence #\(seq) has no project \(name)")
                }
                targets[name] = commit
            } else if let to {
                let matches = history.commits(matching: to)
                if matches.count == 1 {
                    targets[name] = matches[0]
                } else if matches.isEmpty && to.count == 40 && to.allSatisfy(\.isHexDigit) {
                    targets[name] = to.lowercased()
                } else {
                    throw CommandFailure(.invalidManifests, matches.isEmpty ? "no convergence read a commit starting with \(to); give a full commit id"
                                         : "\(to) is ambiguous: \(matches.map { String($0.prefix(12)) }.joined(separator: ", "))")
                }
            } else {
                guard let commit = history.previousGoodCommit(of: name) else {
                    throw CommandFailure(.invalidManifests, "project \(name) has no earlier good state in the journal; name one with --to")
                }
                targets[name] = commit
            }
        }
        return targets
    }
}
