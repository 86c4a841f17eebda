import BosunConverge
import BosunJournal
import BosunModel

/// What `bosun status` says of each project's delivery, from the journal alone: the commit its desired
/// state was last converged from, its last good commit (the last convergence whose gates passed), and the
/// quarantine in force with the failed check's last probe output.
struct ProjectDelivery: Sendable {
    var project: String
    /// The commit of the last convergence that acted on the project (its own commit when it was held back).
    var commitID: String?
    var seq: Int64?
    var outcome: ConvergenceOutcome?
    var lastGood: AppliedIndex.GoodState?
    var quarantine: QuarantineRecord?
    /// The quarantine record's time.
    var quarantinedAt: String?
    /// The failed gate's last probe output, when it had one.
    var lastOutput: String?

    /// One entry per project the journal knows of, by name.
    static func collect(_ history: ConvergenceHistory) -> [String: ProjectDelivery] {
        var index = AppliedIndex()
        var quarantineTimes: [String: String] = [:]
        for record in history.records {
            index.note(record)
            if record.kind == .quarantine, let body = try? record.body.decode(QuarantineRecord.self) { quarantineTimes[body.project] = record.time }
        }
        var projects: [String: ProjectDelivery] = [:]
        for summary in history.convergences {
            guard let outcome = summary.outcome, outcome != .rejected else { continue }
            for name in summary.beginBody.projectHashes?.keys.sorted() ?? [] {
                projects[name] = ProjectDelivery(project: name, commitID: summary.beginBody.projectCommits?[name] ?? summary.commitID,
                                                 seq: summary.seq, outcome: outcome)
            }
        }
        for (name, good) in index.lastGood { projects[name, default: ProjectDelivery(project: name)].lastGood = good }
        for (name, quarantine) in index.quarantined {
            var entry = projects[name, default: ProjectDelivery(project: name)]
            entry.quarantine = quarantine
            entry.quarantinedAt = quarantineTimes[name]
            if let failed = history.convergences.first(where: { $0.seq == quarantine.failedSeq }) {
                entry.lastOutput = HistoryFormatter.gates(of: failed)?.results
                    .first { !$0.passed && $0.resource.hasPrefix(name + "/") }?.lastOutput
            }
            projects[name] = entry
        }
        return projects
    }

    /// "commit 1a2b3c4d5e6f (#12 rolled-back), last good 0f9e8d7c6b5a" and, when quarantined, the lines that say why.
    var lines: [String] {
        var first = "  \(project): " + (commitID.map { "commit \($0.prefix(12))" } ?? "no commit")
        if let seq, let outcome { first += " (#\(seq) \(outcome.rawValue))" }
        if let good = lastGood?.commitID { first += ", last good \(good.prefix(12))" }
        var lines = [first]
        if let quarantine {
            lines.append("    QUARANTINED commit \(String((quarantine.commitID ?? "?").prefix(12)))"
                         + (quarantinedAt.map { " since \($0)" } ?? "") + ": \(quarantine.reason)")
            if let lastOutput { lines.append("    last probe output: \(lastOutput)") }
            lines.append(quarantine.servingCommitID.map { "    converged from \($0.prefix(12)) until its desired state changes or bosun sync --retry" }
                         ?? "    no earlier good state: left as it failed until its desired state changes or bosun sync --retry")
        }
        return lines
    }

    var json: JSONValue {
        var quarantineJSON: JSONValue = .null
        if let quarantine {
            quarantineJSON = .object([
                "commit": quarantine.commitID.map(JSONValue.string) ?? .null, "hash": .string(quarantine.hash),
                "serving_commit": quarantine.servingCommitID.map(JSONValue.string) ?? .null, "cause": .string(quarantine.cause.rawValue),
                "reason": .string(quarantine.reason), "since": quarantinedAt.map(JSONValue.string) ?? .null,
                "failed_seq": quarantine.failedSeq.map { .int($0) } ?? .null, "last_output": lastOutput.map(JSONValue.string) ?? .null,
            ])
        }
        return .object([
            "commit": commitID.map(JSONValue.string) ?? .null, "seq": seq.map { .int($0) } ?? .null,
            "outcome": outcome.map { .string($0.rawValue) } ?? .null,
            "last_good_commit": lastGood?.commitID.map(JSONValue.string) ?? .null, "quarantine": quarantineJSON,
        ])
    }
}
