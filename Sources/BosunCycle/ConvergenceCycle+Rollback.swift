import BosunConverge
import BosunJournal
import BosunModel
import BosunSource

extension ConvergenceCycle {
    /// The rollback step, under the convergence's lock, after a convergence whose gates failed: each project
    /// with a failed gate whose service's `failure_action` is `rollback` is quarantined (by its desired state's
    /// hash) and, when it has a last good commit, converged back to it — the other projects keep the new
    /// commit. Nil when no gate failed or none asks for a rollback.
    mutating func rollBack(after failed: Convergence.Result, held: HeldDesiredState, opened: SourceReader.Opened,
                           convergence: Convergence) async -> RollbackReport? {
        let desired = held.desired
        var failing: [String: [GateResult]] = [:]
        for gate in failed.gates where !gate.passed {
            let parts = gate.resource.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let project = desired.projects.first(where: { $0.name == parts[0] }),
                  let service = project.services.first(where: { $0.name == parts[1] }),
                  RolloutPolicy.update(service, projectDefault: project.updateConfig).failureAction == .rollback else { continue }
            failing[parts[0], default: []].append(gate)
        }
        guard !failing.isEmpty else { return nil }
        var report = RollbackReport(projects: failing.keys.sorted())
        guard origin.isRepository, let commit = opened.revision?.commitID else {
            report.problem = "a directory source has no earlier commit to roll back to: the failed services are left as they are"
            return report
        }
        // Each project's last good state is read first: a quarantine names a commit to serve only when that
        // commit can be read, loads, and is another desired state than the one that failed.
        var targets: [String: String] = [:]
        var rollback = desired
        var others = held.others
        for name in report.projects {
            guard let index = desired.projects.firstIndex(where: { $0.name == name }) else { continue }
            if let serving = held.projectCommits[name] {
                report.notes.append("project \(name): its last good state (commit \(serving.prefix(12))) failed its gate too; left as it is")
                continue
            }
            let hash = ConfigHash.of(desired.projects[index])
            var serving: String?
            if let good = journal.index.lastGood[name], good.hash != hash, let commit = good.commitID {
                do {
                    let (project, past) = try await project(name, at: commit)
                    if ConfigHash.of(project) == hash {
                        report.notes.append("project \(name): its last good state is the desired state that failed (an image changed under its tag?): left as it failed")
                    } else {
                        serving = commit
                        rollback.projects[index] = project
                        others.appendCommit(past)
                    }
                } catch {
                    report.notes.append("project \(name): \(error); left as it failed")
                }
            } else {
                report.notes.append("project \(name) has no earlier good state: left as it failed, and not retried until it changes")
            }
            let quarantine = QuarantineRecord(project: name, hash: hash, commitID: commit, servingCommitID: serving, cause: .gate,
                                              failedSeq: failed.beginSeq, reason: GateRecord.failureReason(failing[name] ?? []) ?? "health gate failed")
            do { try journal.append(.quarantine, JSONValue.encoding(quarantine)) } catch {
                report.problem = "cannot journal the quarantine of project \(name): \(error)"
                return report
            }
            report.quarantined.append(quarantine)
            if let serving { targets[name] = serving }
        }
        // Stopping (the agent's shutdown): the quarantines hold, and the next start converges the projects from them.
        guard !targets.isEmpty, !Task.isCancelled else { return report }
        let record = RollbackRecord(failedSeq: failed.beginSeq, fromCommitID: commit, projects: targets,
                                    reason: GateRecord.failureReason(targets.keys.sorted().flatMap { failing[$0] ?? [] }) ?? "health gate failed")
        do {
            try host.publish(opened, alongside: others)
            try journal.append(.rollback, JSONValue.encoding(record))
            var back = convergence
            back.projectCommits = held.projectCommits.merging(targets) { _, new in new }
            report.record = record
            report.result = try await back.converge(rollback, source: opened.revision, trigger: .rollback)
            report.desired = rollback
        } catch {
            report.problem = "the rollback could not run: \(error)"
        }
        return report
    }
}
