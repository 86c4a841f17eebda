import ArgumentParser
import BosunConverge
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
        failed, refused or invalid manifests, 3 source unavailable.
        """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var registry: HostEngineOptions

    @Option(help: ArgumentHelp("Refuse unless the plan's hash is this one (as `bosun plan` printed it).", valueName: "sha256:…"))
    var planHash: String?

    @Flag(help: "Accept a ref that moved to a commit not descending from the last applied one.")
    var allowRewind = false

    @Flag(help: "JSON instead of text.")
    var json = false

    @Option(help: ArgumentHelp("How many operations may run at once.", valueName: "n"))
    var concurrency = 8

    func run() async throws {
        let directory = source.state.resolvedStateDir
        _ = try source.state.imageStore()  // creates the state directory (0700) when missing
        let journal = try ApplyCommand.openJournal(directory)
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        let (engine, client) = try registry.engine(state: source.state)
        do {
            try await apply(engine: engine, journal: journal, clock: clock)
        } catch let failure as CommandFailure {
            await client.shutdown()
            throw failure
        } catch {
            // Anything else (the journal's storage on a full disk, the host) is an internal or host error, exit 4.
            await client.shutdown()
            throw CommandFailure(.internalError, "apply: \(error)")
        }
        await client.shutdown()
    }

    func apply(engine: HostEngine, journal: Journal, clock: @escaping @Sendable () -> Int64) async throws {
        let directory = source.state.resolvedStateDir
        let salt: [UInt8]
        do { salt = try HostIdentity.salt(stateDirectory: directory) } catch { throw CommandFailure(.internalError, "\(error)") }
        var convergence = Convergence(engine: engine, journal: journal, redactor: SecretRedactor(salt: salt), clock: clock,
                                      concurrency: concurrency)
        let policy = try source.hostPolicy()
        convergence.policy = policy

        // Bad input changes nothing on the host, and is journaled.
        let opened: (revision: SourceRevision?, state: DesiredState)
        do {
            let (reader, result) = try await source.load(lastApplied: lastApplied(journal), allowRewind: allowRewind, policy: policy)
            guard let state = result.state else {
                let reason = result.renderedDiagnostics(pathPrefix: reader.revision == nil ? source.path : "")
                try convergence.reject(reason: reason, source: reader.revision, trigger: .manual)
                throw CommandFailure(.invalidManifests, "\(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); nothing applied (journaled as rejected)")
            }
            opened = (reader.revision, state)
            let files = try SourceOptions.files(of: reader, stateDirectory: directory)
            engine.sourceFiles.set(files.root, store: files.store)
        } catch let failure as CommandFailure where failure.code == .sourceUnavailable {
            try convergence.reject(reason: failure.message, source: nil, trigger: .manual)
            throw failure
        }

        let result: Convergence.Result
        let lock = try await ConvergenceLock.acquire(stateDirectory: directory) { holder in
            FileHandle.standardError.write(Data("bosun: waiting for the convergence in progress\(holder.map { " (pid \($0))" } ?? "")\n".utf8))
        }
        defer { lock.release() }
        let clockStart = ContinuousClock.now
        do {
            result = try await convergence.converge(opened.state, source: opened.revision, trigger: .manual, expectedPlanHash: planHash)
        } catch let error as ConvergeError {
            throw CommandFailure(.checkFailed, error.description)
        }
        let elapsed = ContinuousClock.now - clockStart
        if json {
            print(ApplyRenderer.json(result, elapsed: elapsed))
        } else {
            print(ApplyRenderer.text(result, colour: isatty(STDOUT_FILENO) == 1))
        }
        if ![.converged, .noChange].contains(result.outcome) { throw CommandFailure(.checkFailed, "") }
    }

    static func openJournal(_ directory: String) throws -> Journal {
        do {
            let storage = try FileJournalStorage(directory: directory + "/journal")
            let journal = Journal(storage: storage, clock: { Int64(Date().timeIntervalSince1970 * 1000) },
                                  genesis: HostIdentity.genesis(bosunVersion: BosunVersion.current))
            try journal.open()
            return journal
        } catch {
            throw CommandFailure(.internalError, "cannot open the journal in \(directory)/journal: \(error)")
        }
    }

    /// The commit last applied from this repository (for the rewind guard), from the journal.
    func lastApplied(_ journal: Journal) -> GitCommitID? {
        guard let repo = source.repo, let storage = journal.storage as? FileJournalStorage else { return nil }
        var url = repo
        if !repo.contains("://") && !repo.contains("@") {
            url = repo.hasPrefix("/") ? repo : FileManager.default.currentDirectoryPath + "/" + repo
        }
        let segments = ((try? storage.segmentNames()) ?? []).compactMap { try? storage.read($0) }
        let applied = ConvergenceHistory(segments: segments).convergences.last { convergence in
            guard let outcome = convergence.outcome, [.converged, .partiallyFailed, .noChange].contains(outcome) else { return false }
            return convergence.beginBody.source?.repositoryURL == url
        }
        return applied?.beginBody.source.flatMap { GitCommitID($0.commitID) }
    }
}

/// How `apply` prints a convergence.
enum ApplyRenderer {
    static func text(_ result: Convergence.Result, colour: Bool) -> String {
        var lines = result.swept.map { "swept what an interrupted convergence left: \($0.summary)" }
        lines.append(PlanRenderer.text(result.plan, colour: colour))
        if !result.plan.isEmpty {
            lines.append("")
            lines += result.report.lines(for: result.plan)
        }
        let report = result.report
        lines.append("")
        lines.append("\(result.outcome.rawValue): \(report.succeeded) succeeded, \(report.failed) failed, \(report.skipped) skipped"
                     + (result.beginSeq.map { " (journal #\($0))" } ?? ""))
        if let reason = result.reason { lines.append("bosun: \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// `elapsed`: observe, plan, execute and journal — the convergence itself, without reading the source.
    static func json(_ result: Convergence.Result, elapsed: Duration? = nil) -> String {
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
        let object: JSONValue = .object(fields)
        return String(decoding: object.canonicalBytes, as: UTF8.self)
    }
}
