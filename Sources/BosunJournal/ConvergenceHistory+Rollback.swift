extension ConvergenceHistory {
    /// The commit each project's desired state was read from at convergence `seq` (its source's commit, or its
    /// `project_commits` entry); nil when there is no such convergence or it read no commit.
    public func projectCommits(at seq: Int64) -> [String: String]? {
        guard let summary = convergence(seq), let hashes = summary.beginBody.projectHashes else { return nil }
        var commits: [String: String] = [:]
        for name in hashes.keys {
            if let commit = summary.beginBody.projectCommits?[name] ?? summary.commitID { commits[name] = commit }
        }
        return commits.isEmpty ? nil : commits
    }

    /// The hash of `project`'s desired state at the last convergence that acted on it (every outcome but rejected).
    public func currentHash(of project: String) -> String? {
        convergences.last { $0.outcome != nil && $0.outcome != .rejected && $0.beginBody.projectHashes?[project] != nil }?
            .beginBody.projectHashes?[project]
    }

    /// The commit of `project`'s last good state other than its current one: the newest convergence that ended
    /// converged or rolled back with a different desired state for it (what `bosun rollback` returns to by default).
    public func previousGoodCommit(of project: String) -> String? {
        let current = currentHash(of: project)
        for summary in convergences.reversed() {
            guard let outcome = summary.outcome, [.converged, .rolledBack].contains(outcome),
                  let hash = summary.beginBody.projectHashes?[project], hash != current else { continue }
            return summary.beginBody.projectCommits?[project] ?? summary.commitID
        }
        return nil
    }

    /// The commits the journal names (sources and project commits) that start with `prefix`, without repeats.
    public func commits(matching prefix: String) -> [String] {
        let lower = prefix.lowercased()
        var found: [String] = []
        for summary in convergences {
            for commit in [summary.commitID].compactMap({ $0 }) + (summary.beginBody.projectCommits.map { Array($0.values) } ?? [])
            where commit.hasPrefix(lower) && !found.contains(commit) {
                found.append(commit)
            }
        }
        return found
    }
}
