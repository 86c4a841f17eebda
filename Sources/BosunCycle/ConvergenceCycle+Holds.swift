import BosunConverge
import BosunGit
public import BosunJournal
import BosunManifest
public import BosunModel
public import BosunSource

/// The desired state a cycle converges once its quarantines are applied: each quarantined project whose
/// desired state in git still hashes as it did when it failed is read from its last good commit instead; a
/// quarantine whose project changed (or that `--retry` lifts) is released.
public struct HeldDesiredState: Sendable {
    public var desired: DesiredState
    /// The projects read from another commit, and which.
    public var projectCommits: [String: String] = [:]
    /// The quarantines to end (journaled under the lock, before the convergence).
    public var releases: [QuarantineRelease] = []
    /// The other commits' trees, whose files the held projects' containers bind.
    public var others: [SourceReader.Opened] = []
    /// One line per quarantine in force, for `plan`, `apply` and the agent's log.
    public var notes: [String] = []
}

extension [SourceReader.Opened] {
    /// Adds a past commit's tree unless one of the same commit is there already.
    mutating func appendCommit(_ opened: SourceReader.Opened) {
        if !contains(where: { $0.revision?.commitID == opened.revision?.commitID }) { append(opened) }
    }
}

extension ConvergenceCycle {
    /// Applies the journal's quarantines to `desired` (git's): see `HeldDesiredState`. `retry` releases them all.
    mutating func holding(_ desired: DesiredState, retry: Bool) async throws(RollbackError) -> HeldDesiredState {
        var held = HeldDesiredState(desired: desired)
        for (name, quarantine) in journal.index.quarantined.sorted(by: { $0.key < $1.key }) {
            let index = desired.projects.firstIndex { $0.name == name }
            if retry {
                held.releases.append(QuarantineRelease(project: name, hash: quarantine.hash, cause: .retry))
                continue
            }
            guard let index, ConfigHash.of(desired.projects[index]) == quarantine.hash else {
                held.releases.append(QuarantineRelease(project: name, hash: quarantine.hash, cause: .changed))
                continue
            }
            guard let serving = quarantine.servingCommitID else {
                held.notes.append("project \(name) is quarantined (\(quarantine.reason)); it has no earlier good state and is left as it is")
                continue
            }
            let (project, opened) = try await project(name, at: serving)
            held.desired.projects[index] = project
            held.projectCommits[name] = serving
            held.others.appendCommit(opened)
            held.notes.append("project \(name) is quarantined at commit \(String((quarantine.commitID ?? "?").prefix(12))) "
                              + "(\(quarantine.reason)); converging it from its last good commit \(serving.prefix(12)) "
                              + "until its desired state changes or bosun sync --retry")
        }
        return held
    }

    /// Project `name` as the manifests at `commit` declare it (loaded with the cycle's options), and that
    /// commit's tree; the last few commits read are kept.
    mutating func project(_ name: String, at commit: String) async throws(RollbackError) -> (Project, SourceReader.Opened) {
        func failure(_ cause: String) -> RollbackError { RollbackError(project: name, commitID: commit, cause: cause) }
        let loaded: (opened: SourceReader.Opened, state: DesiredState)
        if let cached = pastCommits.first(where: { $0.opened.revision?.commitID == commit }) {
            loaded = cached
        } else {
            guard let id = GitCommitID(commit) else { throw failure("not a commit id") }
            let opened: SourceReader.Opened
            do { opened = try await source.open(commit: id) } catch { throw failure("\(error)") }
            // The verify step, for every past commit the cycle reads (a rollback's, a quarantined project's).
            if let verifier {
                do { _ = try await verifier.verify(opened, past: true) } catch {
                    var untrusted = failure("it is not trusted: \(error)")
                    untrusted.untrusted = true
                    throw untrusted
                }
            }
            let result = ManifestLoader(tree: opened.tree, options: loadOptions).load(path: opened.path, rootName: opened.rootName)
            guard let state = result.state else {
                throw failure("its manifests no longer load: \(result.errors.first.map(\.description) ?? "invalid")")
            }
            loaded = (opened, state)
            pastCommits = Array(([loaded] + pastCommits).prefix(4))
        }
        guard let project = loaded.state.projects.first(where: { $0.name == name }) else {
            throw failure("the commit has no project \(name)")
        }
        return (project, loaded.opened)
    }

    /// The commits the source must keep readable: the quarantined projects' and every project's last good one.
    var commitsToKeep: [GitCommitID] {
        let index = journal.index
        let commits = Set(index.quarantined.values.compactMap(\.servingCommitID) + index.lastGood.values.compactMap(\.commitID))
        return commits.sorted().compactMap(GitCommitID.init)
    }
}
