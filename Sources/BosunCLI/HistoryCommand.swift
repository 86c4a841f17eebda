import ArgumentParser
import BosunJournal
import BosunModel
import Foundation

/// `bosun history`: the convergences in the journal, one line each, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show what was converged, from which commit, when, and how it ended.",
        subcommands: [HistoryListCommand.self, HistoryShowCommand.self, HistoryDiffCommand.self],
        defaultSubcommand: HistoryListCommand.self)
}

/// `bosun history [list]`: a table like `git log --oneline`.
struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List convergences, newest first.")

    @OptionGroup var state: StateOptions

    @Option(help: ArgumentHelp("Only convergences since a time (2026-11-01, 2026-11-01T10:00:00Z) or for a span (24h, 7d).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only convergences whose plan touched this service (name or project/name).", valueName: "service"))
    var service: String?

    @Option(help: ArgumentHelp("Only this outcome: \(ConvergenceOutcome.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "outcome"))
    var outcome: String?

    @Option(help: "At most this many, newest first.")
    var limit: Int?

    @Flag(help: "JSON lines instead of a table.")
    var json = false

    func validate() throws {
        if let outcome, ConvergenceOutcome(rawValue: outcome) == nil && outcome != "running" {
            throw ValidationError("unknown outcome \"\(outcome)\"; use one of \(ConvergenceOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let since, HistoryListCommand.sinceMilliseconds(since, now: 0) == nil {
            throw ValidationError("--since takes a date (2026-11-01 or 2026-11-01T10:00:00Z) or a span (30m, 24h, 7d)")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let storage = try state.existingJournal()
        let history = ConvergenceHistory(segments: try state.readSegments(storage).map(\.bytes))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var selected = history.convergences.reversed().filter { summary in
            if let since, let from = HistoryListCommand.sinceMilliseconds(since, now: now),
               (JournalTime.parse(summary.begin.time) ?? 0) < from { return false }
            if let service, !summary.services.contains(where: { $0 == service || $0.hasSuffix("/" + service) }) { return false }
            if let outcome, (summary.outcome?.rawValue ?? "running") != outcome { return false }
            return true
        }
        if let limit { selected = Array(selected.prefix(limit)) }
        if json {
            for summary in selected { print(HistoryFormatter.jsonLine(summary)) }
            return
        }
        print(HistoryFormatter.table(selected, openConvergence: history.convergences.last.flatMap { $0.end == nil ? $0.seq : nil }))
        if let check = storage.readLastCheck().flatMap({ JSONValue.parse(Array($0.dropLast())) }), let time = check["time"]?.stringValue {
            print("last check: \(time)\(check["commit_id"]?.stringValue.map { " at commit \($0.prefix(7))" } ?? "")")
        } else if let last = history.lastActivity {
            print("last recorded activity: \(last.time) (record \(last.seq))")
        }
    }

    /// Milliseconds since the epoch for a date, or `now` minus a span (`30m`, `24h`, `7d`).
    static func sinceMilliseconds(_ text: String, now: Int64) -> Int64? {
        if let date = JournalTime.parse(text) { return date }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let factors: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        guard let factor = factors[unit] else { return nil }
        return now - amount * factor
    }
}
