import ArgumentParser
import BosunJournal
import Foundation
import BosunRuntimeCLI

/// `bosun journal`: checks of the journal file itself.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Check the journal's hash chain.",
        subcommands: [JournalVerifyCommand.self, JournalStressCommand.self])
}

/// `bosun journal verify`: exit 0 when the chain is intact, 1 with the first bad record otherwise.
struct JournalVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify every record's hash and link; name the first bad record.",
        discussion: "Exit codes: 0 intact, 1 damaged or edited, 3 no journal to read.")

    @OptionGroup var state: StateOptions

    func run() async throws {
        let storage = try state.existingJournal()
        let segments = try state.readSegments(storage)
        let result = ChainVerifier().verify(segments: segments, head: storage.readHead())
        if let torn = result.tornTail {
            FileHandle.standardError.write(Data("bosun: warning: \(torn)\n".utf8))
        }
        if let problem = result.problem {
            throw CommandFailure(.checkFailed, "journal damaged at \(problem)")
        }
        var line = "journal intact: \(result.records) record\(result.records == 1 ? "" : "s") in \(result.segments) segment\(result.segments == 1 ? "" : "s")"
        if let last = result.lastRecord { line += ", last \(last.seq) at \(last.time) (\(last.hash.prefix(19))…)" }
        print(line)
    }
}
