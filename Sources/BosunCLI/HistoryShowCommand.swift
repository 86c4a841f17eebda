import ArgumentParser
import BosunJournal
import BosunRuntimeCLI

/// `bosun history show SEQ`: one convergence in full — source, plan with diffs, results, digests.
struct HistoryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one convergence in full.")

    @OptionGroup var state: StateOptions

    @Argument(help: "The convergence's sequence number, as history lists it.")
    var seq: Int64

    func run() async throws {
        let history = ConvergenceHistory(segments: try state.readSegments(try state.existingJournal()).map(\.bytes))
        guard let summary = history.convergence(seq) else {
            throw CommandFailure(.checkFailed, "no convergence \(seq) in the journal (see bosun history)")
        }
        print(HistoryFormatter.show(summary))
    }
}

/// `bosun history diff A B`: what changed in desired state between two convergences.
struct HistoryDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "What changed in desired state between two convergences.")

    @OptionGroup var state: StateOptions

    @Argument(help: "The earlier convergence's sequence number.")
    var from: Int64

    @Argument(help: "The later convergence's sequence number.")
    var to: Int64

    func run() async throws {
        let history = ConvergenceHistory(segments: try state.readSegments(try state.existingJournal()).map(\.bytes))
        guard let a = history.convergence(from), let b = history.convergence(to) else {
            throw CommandFailure(.checkFailed, "no convergence \(history.convergence(from) == nil ? from : to) in the journal (see bosun history)")
        }
        guard let old = history.state(of: a), let new = history.state(of: b) else {
            throw CommandFailure(.checkFailed, "the journal holds no desired state for convergence \(history.state(of: a) == nil ? from : to)")
        }
        print("desired state from convergence \(from) (\(a.commitID.map { String($0.prefix(7)) } ?? "-")) to \(to) (\(b.commitID.map { String($0.prefix(7)) } ?? "-"))")
        print(HistoryFormatter.diff(StateDiff(from: old, to: new)))
    }
}
