import BosunConverge
import BosunJournal
import BosunModel

/// The text forms of history: the one-line table, JSON lines, and the full account of one convergence.
enum HistoryFormatter {
    static func table(_ convergences: [ConvergenceSummary], openConvergence: Int64?) -> String {
        var rows = [["SEQ", "TIME", "COMMIT", "OUTCOME", "CHANGES", "TRIGGER", "SUBJECT"]]
        for summary in convergences {
            var outcome = summary.outcome?.rawValue ?? (summary.seq == openConvergence ? "running/interrupted" : "interrupted")
            if !summary.quarantined.isEmpty { outcome += ", quarantined " + summary.quarantined.map(\.project).joined(separator: ",") }
            if !summary.released.isEmpty { outcome += ", released " + summary.released.map(\.project).joined(separator: ",") }
            rows.append([
                String(summary.seq), String(summary.begin.time.prefix(19)).replacingOccurrences(of: "T", with: " ") + "Z",
                summary.commitID.map { String($0.prefix(7)) } ?? "-", outcome, String(summary.beginBody.operations.count),
                summary.beginBody.trigger.rawValue, summary.beginBody.source?.subject ?? "",
            ])
        }
        if rows.count == 1 { return "no convergences recorded" }
        return TextTable.render(rows)
    }

    static func jsonLine(_ summary: ConvergenceSummary) -> String {
        var fields: [String: JSONValue] = [
            "seq": .int(summary.seq), "time": .string(summary.begin.time), "trigger": .string(summary.beginBody.trigger.rawValue),
            "outcome": summary.outcome.map { .string($0.rawValue) } ?? .null,
            "operations": .int(Int64(summary.beginBody.operations.count)),
            "desired_state_hash": .string(summary.beginBody.desiredStateHash),
        ]
        if let source = summary.beginBody.source {
            fields["commit_id"] = .string(source.commitID)
            fields["ref"] = .string(source.ref)
            fields["subject"] = .string(source.subject)
        }
        if let end = summary.end, let body = summary.endBody {
            fields["end_time"] = .string(end.time)
            fields["duration_ms"] = .int(body.durationMilliseconds)
        }
        if !summary.quarantined.isEmpty { fields["quarantined"] = JSONValue.encoding(summary.quarantined) }
        if !summary.released.isEmpty { fields["released"] = JSONValue.encoding(summary.released) }
        if let rollback = summary.rollback { fields["rollback"] = JSONValue.encoding(rollback) }
        if let commits = summary.beginBody.projectCommits { fields["project_commits"] = JSONValue.encoding(commits) }
        if let gates = gates(of: summary) {
            fields["gates"] = .array(gates.results.map { .object(["resource": .string($0.resource), "passed": .bool($0.passed), "check": .string($0.check.rawValue)]) })
        }
        return String(decoding: JSONValue.object(fields).canonicalBytes, as: UTF8.self)
    }

    static func show(_ summary: ConvergenceSummary) -> String {
        let begin = summary.beginBody
        var lines: [String] = []
        var heading = "convergence \(summary.seq) (\(begin.trigger.rawValue))"
        if let end = summary.endBody {
            heading += " \(end.outcome.rawValue) in \(Double(end.durationMilliseconds) / 1000)s"
        } else {
            heading += " without an end record (running, or interrupted)"
        }
        lines.append(heading)
        lines.append("  started   \(summary.begin.time)")
        if let end = summary.end { lines.append("  ended     \(end.time)") }
        if let source = begin.source {
            lines.append("  source    \(source.repositoryURL) @ \(source.commitID) (\(source.ref))")
            lines.append("  author    \(source.author.name) <\(source.author.email)> at \(JournalTime.format(milliseconds: source.author.time * 1000))")
            lines.append("  committer \(source.committer.name) <\(source.committer.email)> at \(JournalTime.format(milliseconds: source.committer.time * 1000))")
            lines.append("  subject   \(source.subject)")
        }
        if let signer = begin.signer { lines.append("  signed by \(signer)") }
        for (project, commit) in (begin.projectCommits ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("  project   \(project) from commit \(commit) (held at its last good state)")
        }
        if let rollback = summary.rollback {
            lines.append("  rollback  of convergence \(rollback.failedSeq.map { "#\($0)" } ?? "(asked)"): "
                         + rollback.projects.sorted { $0.key < $1.key }.map { "\($0.key) to \($0.value.prefix(12))" }.joined(separator: ", "))
            lines.append("            why: \(rollback.reason)")
        }
        for release in summary.released {
            lines.append("  released  the quarantine of \(release.project) (\(release.cause == .retry ? "asked to retry" : "its desired state changed"))")
        }
        if let policy = begin.policy {
            let allow = [("host_paths", policy.allow.hostPaths), ("capabilities", policy.allow.capabilities), ("devices", policy.allow.devices)]
                .filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1.joined(separator: ", "))" }
            lines.append("  policy    \(policy.level.rawValue)" + (allow.isEmpty ? "" : " (allow \(allow.joined(separator: "; ")))"))
        }
        lines.append("  desired   \(begin.desiredStateHash)")
        lines.append("  plan      \(begin.planHash), \(begin.operations.count) operation\(begin.operations.count == 1 ? "" : "s")")
        for operation in begin.operations {
            lines.append("    #\(operation.id) \(operation.kind) \(operation.resource): \(operation.cause)")
            for change in operation.changes {
                lines.append("        \(change.field): \(change.old?.description ?? "(none)") → \(change.new?.description ?? "(none)")")
            }
        }
        if let end = summary.endBody {
            if let reason = end.reason { lines.append("  reason    \(reason)") }
            if !end.results.isEmpty { lines.append("  results") }
            for result in end.results {
                lines.append("    #\(result.id) \(result.ok ? "ok" : result.skipped == nil ? "failed" : "skipped") \(result.durationMilliseconds) ms\(result.error.map { ": \($0)" } ?? "")\(result.skipped.map { " (\($0))" } ?? "")")
            }
            if let gates = gates(of: summary) {
                lines.append("  gates")
                for gate in gates.results {
                    lines.append("    \(gate.resource) \(gate.passed ? "passed" : "FAILED") (\(gate.check.rawValue), \(gate.seconds))" + (gate.reason.map { ": \($0)" } ?? ""))
                    if !gate.passed, let output = gate.lastOutput {
                        lines.append("        last probe output: \(output)")
                    }
                }
            }
            for quarantine in summary.quarantined {
                lines.append("  quarantined \(quarantine.project) (hash \(quarantine.hash.prefix(19))…): "
                             + (quarantine.servingCommitID.map { "converged from \($0.prefix(12)) until it changes" } ?? "no earlier good state, left as it failed"))
            }
            if !end.imageDigests.isEmpty { lines.append("  digests") }
            for (image, digest) in end.imageDigests.sorted(by: { $0.key < $1.key }) { lines.append("    \(image) \(digest)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The convergence's gate record, decoded.
    static func gates(of summary: ConvergenceSummary) -> GateRecord? {
        try? summary.gate?.body.decode(GateRecord.self)
    }

    static func diff(_ diff: StateDiff) -> String {
        if diff.isEmpty { return "no change in desired state" }
        var lines = diff.added.map { "+ \($0)" } + diff.removed.map { "- \($0)" }
        var current = ""
        for change in diff.changes {
            if change.service != current {
                lines.append("~ \(change.service)")
                current = change.service
            }
            lines.append("    \(change.field): \(change.old ?? "(none)") → \(change.new ?? "(none)")")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
