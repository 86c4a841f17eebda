import ArgumentParser
import BosunJournal
import BosunJournalFiles
import Foundation

/// The state directory option, shared by every command that reads or writes bosun's state.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("State directory (default: $BOSUN_STATE_DIR or /var/lib/bosun).", valueName: "dir"))
    var stateDir: String?

    var resolvedStateDir: String {
        stateDir ?? ProcessInfo.processInfo.environment["BOSUN_STATE_DIR"] ?? "/var/lib/bosun"
    }

    /// The journal's directory inside the state directory.
    var journalDirectory: String { resolvedStateDir + "/journal" }

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
