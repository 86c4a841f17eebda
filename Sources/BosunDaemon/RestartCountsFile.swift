import BosunModel
import BosunAgent
import BosunHost
import Foundation
import Synchronization
import BosunLinux
public import BosunFailure

/// `<state>/restart-counts.json` (0600, replaced atomically): the agent's restart counts and crash-loop state,
/// saved when they change and read back when the agent starts, so `bosun status` shows the same counts across
/// an agent restart. A damaged or foreign file is reported and ignored (the counts start again at zero).
final class RestartCountsFile: Sendable {
    let path: String
    /// The counts last written (or read), so an unchanged supervision costs no write.
    let written = Mutex<RestartCounts?>(nil)
    /// The last write error reported, so a full or read-only disk is logged once, not every second.
    let reportedError = Mutex<String?>(nil)

    init(stateDirectory: String) {
        path = StateLayout(stateDirectory).restartCounts
    }

    /// The saved counts; nil when there are none. Throws a message naming the file when it cannot be used.
    func load() throws(RestartCountsError) -> RestartCounts? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let counts: RestartCounts
        do { counts = try JSONDecoder().decode(RestartCounts.self, from: data) } catch {
            throw RestartCountsError(message: "read restart counts \(path): not a restart counts file (\(error)); counts start again at zero")
        }
        guard counts.version == RestartCounts.currentVersion else {
            throw RestartCountsError(message: "read restart counts \(path): version \(counts.version) is not \(RestartCounts.currentVersion); counts start again at zero")
        }
        written.withLock { $0 = counts }
        return counts
    }

    /// Writes `counts` unless they are what the file already holds. Blocks (fsync): call it off the cooperative pool.
    func save(_ counts: RestartCounts) throws {
        try written.withLock { last in
            guard last != counts else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(counts)), to: path)
            last = counts
        }
        reportedError.withLock { $0 = nil }
    }

    /// Whether `error` is new (not the one reported last): only then is it worth a log line.
    func isNew(_ error: String) -> Bool {
        reportedError.withLock { reported in
            defer { reported = error }
            return reported != error
        }
    }
}

/// The restart counts file cannot be used.
public struct RestartCountsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension RestartCountsError: FailureDescribing {
    public var failure: Failure { Failure(action: "use the restart counts file", cause: message, handling: .fixHost) }
}
