import BosunModel
import ArgumentParser
import BosunJournal
import BosunJournalFiles
import BosunSource
import Foundation
import BosunRuntimeCLI

/// The state directory option, shared by every command that reads or writes bosun's state.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State directory (default: $BOSUN_STATE_DIR or /var/lib/bosun).", valueName: "dir"))
    var stateDir: String?

    /// The state directory as an absolute path: a relative one is taken from the working directory, since
    /// paths under it end up in container bundles and monitors that run elsewhere.
    var resolvedStateDir: String {
        Self.absolute(stateDir ?? ProcessInfo.processInfo.environment["BOSUN_STATE_DIR"] ?? "/var/lib/bosun")
    }

    /// `path` made absolute against the current working directory (already absolute paths are unchanged).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = FileManager.default.currentDirectoryPath
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return trimmed.isEmpty || trimmed == "." ? base : (base.hasSuffix("/") ? base : base + "/") + trimmed
    }

    /// Refuses a state directory others could write or replace (`StateDirectorySafety`), before any command
    /// reads or writes it: exit 4 with the fix. (It exits here: ArgumentParser turns an error thrown from
    /// `validate` into a usage error with help text, which this is not.)
    func validate() throws {
        if let problem = StateDirectorySafety.problem(for: resolvedStateDir) {
            Foundation.exit(CommandFailure.report(CommandFailure(.internalError, problem), exitCode: .failure, message: ""))
        }
    }

    /// The journal's directory inside the state directory.
    var journalDirectory: String { StateLayout(resolvedStateDir).journal }

    /// The journal's storage for reading; a missing journal is a failure with exit code 3.
    func existingJournal() throws -> FileJournalStorage {
        var info = stat()
        guard stat(journalDirectory, &info) == 0 else {
            throw CommandFailure(.sourceUnavailable, "no journal at \(journalDirectory) (nothing has been converged with this state directory)")
        }
        do { return try FileJournalStorage(directory: journalDirectory) } catch {
            throw CommandFailure(.sourceUnavailable, "\(error)")
        }
    }

    /// Every segment's bytes, in order.
    func readSegments(_ storage: FileJournalStorage) throws -> [(name: String, bytes: [UInt8])] {
        do { return try storage.segmentNames().map { ($0, try storage.read($0)) } } catch {
            throw CommandFailure(.sourceUnavailable, "cannot read the journal: \(error)")
        }
    }
}
