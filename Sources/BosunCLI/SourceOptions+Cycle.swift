import BosunConverge
import BosunCycle
import BosunHost
import BosunJournal
import BosunJournalFiles
import BosunSource
import Foundation
import BosunRuntimeCLI

extension SourceOptions {
    /// The convergence cycle these options describe, on `engine` and `journal`. A source that cannot even be
    /// named (a malformed URL) is journaled as rejected and ends the command with exit code 3.
    func cycle(engine: HostEngine, journal: Journal, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
               concurrency: Int = 8, journalRepeats: Bool,
               waiting: @escaping @Sendable (Int32?) -> Void) throws -> ConvergenceCycle {
        let directory = state.resolvedStateDir
        let salt: [UInt8]
        do { salt = try HostIdentity.salt(stateDirectory: directory) } catch { throw CommandFailure(.internalError, "\(error)") }
        var convergence = Convergence(engine: engine, journal: journal, redactor: SecretRedactor(salt: salt), clock: clock, concurrency: concurrency)
        let policy = try hostPolicy()
        convergence.policy = policy
        let source: any DesiredStateSource
        do { source = try SourceReader(stateDirectory: directory).source(for: try spec()) } catch {
            _ = try? convergence.reject(reason: "cannot read the source: \(error)", source: nil, trigger: .manual)
            throw CommandFailure(.sourceUnavailable, "cannot read the source: \(error)")
        }
        return ConvergenceCycle(source: source, convergence: convergence, loadOptions: loadOptions(policy: policy),
                                host: HostCycleHost(stateDirectory: directory, engine: engine, waiting: waiting), journalRepeats: journalRepeats)
    }

    /// Prints the manifests' diagnostics (paths as the user named them: from the current directory, or from
    /// the repository's root) and the cycle's warnings to stderr.
    func printDiagnostics(_ report: CycleReport) {
        if let loaded = report.loaded, !loaded.diagnostics.isEmpty {
            FileHandle.standardError.write(Data((loaded.renderedDiagnostics(pathPrefix: report.revision == nil ? path : "") + "\n").utf8))
        }
        for warning in report.warnings { FileHandle.standardError.write(Data("bosun: warning: \(warning)\n".utf8)) }
        for release in report.held?.releases ?? [] {
            let why = release.cause == .retry ? "asked to retry" : "its desired state changed"
            FileHandle.standardError.write(Data("bosun: the quarantine of project \(release.project) ends: \(why)\n".utf8))
        }
        for note in report.held?.notes ?? [] { FileHandle.standardError.write(Data("bosun: \(note)\n".utf8)) }
    }

    /// How a command ends when the cycle did not get to converge or plan: exit 3 for the source, 1 for refused
    /// desired state (`refused` says what did not happen: "nothing applied (journaled as rejected)", "no plan"),
    /// 4 for the host. Nil for the outcomes the command handles itself.
    func failure(of report: CycleReport, refused: String) -> CommandFailure? {
        switch report.outcome {
        case .sourceUnavailable(let message):
            return CommandFailure(.sourceUnavailable, "cannot read the source: \(message)")
        case .rejected(.load, _):
            let count = report.loaded?.errors.count ?? 0
            return CommandFailure(.invalidManifests, "\(count) error\(count == 1 ? "" : "s"); \(refused)")
        case .rejected(_, let reason):
            return CommandFailure(.invalidManifests, "\(reason); \(refused)")
        case .failed(_, let message):
            return CommandFailure(.internalError, message)
        case .unchanged, .planned, .converged:
            return nil
        }
    }
}
