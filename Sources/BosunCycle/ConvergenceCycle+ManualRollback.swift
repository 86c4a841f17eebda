import BosunConverge
import BosunFailure
import BosunJournal
import BosunManifest
import BosunModel
import BosunSource
import BosunGit

extension ConvergenceCycle {
    /// `bosun rollback`: converges the desired state in git with each of `targets`' projects (project → commit)
    /// read from that commit instead, journaled as a rollback (trigger `rollback`, gated with `rollback_config`),
    /// and pins each one there — a quarantine with cause `rollback` — until its desired state in git changes or
    /// `--retry`. Exempt from the rewind guard for the targets; the commit at the ref still passes it, and every
    /// commit read passes the verify step and the host's policy.
    public mutating func rollBack(to targets: [String: String], reason: String) async -> CycleReport {
        var report = CycleReport(outcome: .unchanged, origin: origin)
        guard origin.isRepository else {
            report.outcome = .rejected(.source, "a directory source has no history to roll back to; converge the directory as it should be")
            return report
        }
        let opened: SourceReader.Opened
        do {
            journal.refreshIndex()
            opened = try await source.open(lastApplied: lastApplied(), keeping: commitsToKeep + targets.values.compactMap(GitCommitID.init),
                                           allowRewind: false)
        } catch {
            report.outcome = .sourceUnavailable("\(error)")
            report.failure = Failure(describing: error, action: "read the source")
            return report
        }
        report.revision = opened.revision
        let request = Request(trigger: .rollback, mode: .apply(expectedPlanHash: nil))
        if let verifier {
            do { convergence.signer = try await verifier.verify(opened, past: false) } catch {
                return await rejected(.verify, "the commit is not trusted: \(error)", opened: opened, request: request, report: report)
            }
        }
        let loaded = ManifestLoader(tree: opened.tree, options: loadOptions).load(path: opened.path, rootName: opened.rootName)
        report.loaded = loaded
        guard let head = loaded.state else {
            return await rejected(.load, loaded.renderedDiagnostics(), opened: opened, request: request, report: report)
        }
        report.stateHash = ConfigHash.of(head)
        var held: HeldDesiredState
        var pins: [QuarantineRecord] = []
        do {
            held = try await holding(head, retry: false)
            for (name, commit) in targets.sorted(by: { $0.key < $1.key }) {
                let (project, past) = try await project(name, at: commit)  // verified there, as every past commit
                if let index = held.desired.projects.firstIndex(where: { $0.name == name }) {
                    pins.append(QuarantineRecord(project: name, hash: ConfigHash.of(head.projects.first { $0.name == name } ?? project),
                                                 commitID: opened.revision?.commitID, servingCommitID: commit, cause: .rollback, failedSeq: nil, reason: reason))
                    held.desired.projects[index] = project
                } else {
                    held.desired.projects.append(project)  // gone from git since: back for now, removed by the next change
                    held.desired.projects.sort { $0.name < $1.name }
                }
                held.projectCommits[name] = commit
                held.releases.removeAll { $0.project == name }
                held.others.appendCommit(past)
            }
        } catch {
            let untrusted = error.untrusted
            return await rejected(untrusted ? .verify : .load, "\(error)", opened: opened, request: request, report: report)
        }
        report.desired = held.desired
        report.held = held
        guard let lock = await lockForConverging(&report) else { return report }
        defer { lock.release() }
        if let owner = foreignOwner() {
            report.outcome = .rejected(.admit, Self.ownershipRefusal(owner: owner, origin: origin))
            return report
        }
        var convergence = self.convergence
        do {
            try InterruptedConvergence.end(in: journal)
            for release in held.releases { try journal.append(.release, JSONValue.encoding(release)) }
            for pin in pins { try journal.append(.quarantine, JSONValue.encoding(pin)) }
            try journal.append(.rollback, JSONValue.encoding(RollbackRecord(failedSeq: nil, fromCommitID: opened.revision?.commitID,
                                                                            projects: targets, reason: reason)))
            try host.publish(opened, alongside: held.others)
            convergence.projectCommits = held.projectCommits
            let result = try await convergence.converge(held.desired, source: opened.revision, trigger: .rollback)
            report.outcome = .converged(result)
            report.journalSeq = result.beginSeq
            self.convergence.projectCommits = held.projectCommits
        } catch {
            report.outcome = .failed(.record, "\(error)")
            report.failure = Failure(describing: error, action: "roll back")
        }
        return report
    }
}
