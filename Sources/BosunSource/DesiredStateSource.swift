public import BosunGit
public import BosunModel
import BosunTrust
import Foundation

/// Where a convergence cycle reads desired state: the tree at the commit to converge — fetched, the ref
/// resolved, a rewind past `lastApplied` refused unless allowed — or a directory on disk.
public protocol DesiredStateSource: Sendable {
    /// What the state directory records as its source.
    var origin: SourceOrigin { get }
    /// The tree at the ref's commit; `keeping` are commits the source must keep readable (the last good
    /// commits of quarantined projects) though no ref reaches them any more.
    func open(lastApplied: GitCommitID?, keeping: [GitCommitID], allowRewind: Bool) async throws -> SourceReader.Opened
    /// The tree at a past commit (a rollback's, a quarantined project's last good one); a directory has none.
    func open(commit: GitCommitID) async throws -> SourceReader.Opened
}

extension DesiredStateSource {
    public func open(lastApplied: GitCommitID?, allowRewind: Bool) async throws -> SourceReader.Opened {
        try await open(lastApplied: lastApplied, keeping: [], allowRewind: allowRewind)
    }
}

/// A repository read through one mirror under the state directory, kept for the source's life (the agent's).
public struct RepositorySource: DesiredStateSource {
    public let mirror: GitMirror
    /// The ref to converge; nil takes the remote's default branch.
    public let ref: String?
    /// The manifests' directory in the repository ("" for its root).
    public let path: String
    public let origin: SourceOrigin
    /// The verify step: nil verifies nothing.
    public let signatures: CommitSignatureCheck?

    public init(mirror: GitMirror, ref: String?, path: String, signatures: CommitSignatureCheck? = nil) {
        self.mirror = mirror
        self.ref = ref
        self.path = path == "." ? "" : path
        self.signatures = signatures
        origin = SourceOrigin(location: mirror.repositoryURL, path: self.path, isRepository: true)
    }

    /// The tree of the commit the ref resolves to, read by that id (which the cycle's verify step checks).
    public func open(lastApplied: GitCommitID?, keeping: [GitCommitID], allowRewind: Bool) async throws -> SourceReader.Opened {
        let fetched = try await mirror.fetch(keeping: (lastApplied.map { [$0] } ?? []) + keeping)
        var ref = self.ref ?? fetched.defaultBranch ?? "HEAD"
        if signatures?.policy.mode == .tag { ref = try await taggedRef() }
        let commit = try await mirror.resolve(ref)
        if let lastApplied { try await mirror.checkNoRewind(ref: ref, from: lastApplied, to: commit, allowRewind: allowRewind) }
        // The signature of `commit` is the cycle's verify step (`CommitSignatureVerification`), on this tree's id.
        return try await opened(commit, ref: ref)
    }

    /// `signatures: tag`: the tag `ref` names, or the newest by SemVer precedence of those its pattern matches,
    /// as `refs/tags/NAME`.
    func taggedRef() async throws -> String {
        guard let wanted = ref.map({ $0.hasPrefix("refs/tags/") ? String($0.dropFirst("refs/tags/".count)) : $0 }) else {
            throw FileTreeError(path: mirror.repositoryURL, message: "verify: signatures: tag needs ref: naming a tag or a tag pattern (v*)")
        }
        guard let name = TagSelection.select(wanted, among: try await mirror.tagNames()) else {
            throw FileTreeError(path: mirror.repositoryURL, message: "no tag matches \(wanted)" + (wanted.contains("*") ? " with a semantic version (v1.2.3)" : ""))
        }
        return "refs/tags/" + name
    }

    /// A past commit (a rollback's, a quarantined project's), read by its id (the cycle's verify step checks it).
    public func open(commit: GitCommitID) async throws -> SourceReader.Opened {
        try await opened(commit, ref: ref ?? "HEAD")
    }

    private func opened(_ commit: GitCommitID, ref: String) async throws -> SourceReader.Opened {
        let revision = try await mirror.revision(of: commit, ref: ref)
        var name = (mirror.repositoryURL as NSString).lastPathComponent
        if name.hasSuffix(".git") { name = String(name.dropLast(4)) }
        return SourceReader.Opened(tree: try await mirror.tree(at: commit, path: ""), path: path, revision: revision, rootName: name)
    }
}

/// A directory of manifests on disk, read as it is at each open.
public struct DirectorySource: DesiredStateSource {
    /// The directory as given.
    public let path: String
    /// The directory made absolute (from the working directory when the source is made).
    public let origin: SourceOrigin

    public init(path: String) {
        self.path = path
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        origin = SourceOrigin(location: (absolute as NSString).standardizingPath, path: "", isRepository: false)
    }

    public func open(commit: GitCommitID) async throws -> SourceReader.Opened {
        throw FileTreeError(path: path, message: "a directory source has no history to read commit \(commit) from")
    }

    public func open(lastApplied: GitCommitID?, keeping: [GitCommitID], allowRewind: Bool) async throws -> SourceReader.Opened {
        let tree = try DirectoryFileTree(root: path, displayName: path)
        return SourceReader.Opened(tree: tree, path: "", revision: nil, rootName: (tree.root as NSString).lastPathComponent)
    }
}

extension SourceReader {
    /// The source `spec` names: its repository's mirror under the state directory, or its directory.
    public func source(for spec: SourceSpec) throws -> any DesiredStateSource {
        guard let repository = spec.repository else {
            if spec.signatures.mode != .off {
                throw FileTreeError(path: spec.path, message: "a directory has no commits to verify: verify: signatures: \(spec.signatures.mode.rawValue) needs a repository source")
            }
            return DirectorySource(path: spec.path)
        }
        if let problem = spec.signatures.problem { throw FileTreeError(path: repository, message: problem) }
        let check = spec.signatures.mode == .off ? nil : CommitSignatureCheck(policy: spec.signatures, stateDirectory: stateDirectory)
        return RepositorySource(mirror: try mirror(for: repository, access: spec.access), ref: spec.ref, path: spec.path, signatures: check)
    }
}
