public import BosunModel

/// A git repository desired state is read from: fetched into a local mirror, then resolved and read
/// without a working checkout. `GitMirror` talks to real remotes; `RecordingGitSource` is a fake for tests.
public protocol GitSource: Sendable {
    /// The repository URL without credentials, as shown in messages and journal entries.
    var repositoryURL: String { get }

    /// Fetches all branches and tags into the mirror, force-updating and pruning refs.
    func fetch() async throws -> GitFetchResult

    /// The commit a branch (`main`, `refs/heads/main`), tag (annotated tags are peeled), `HEAD`,
    /// or full or abbreviated commit id names in the mirror.
    func resolve(_ ref: String) async throws -> GitCommitID

    /// Who made `commit` and when, recorded as asked for by `ref`.
    func revision(of commit: GitCommitID, ref: String) async throws -> SourceRevision

    /// The files under `path` (`""` for the whole repository) in `commit`'s tree, without a checkout.
    func tree(at commit: GitCommitID, path: String) async throws -> any FileTree

    /// Throws `GitError.Code.rewind` unless `new` equals or descends from `last` or `allowRewind` is set.
    func checkNoRewind(ref: String, from last: GitCommitID, to new: GitCommitID, allowRewind: Bool) async throws
}

/// What a fetch changed in the mirror.
public struct GitFetchResult: Sendable, Equatable {
    /// Refs created, moved or deleted, in the order libgit2 reported them.
    public var updatedRefs: [GitRefUpdate]
    /// The remote's default branch (`refs/heads/main`), when the server told it.
    public var defaultBranch: String?

    public init(updatedRefs: [GitRefUpdate], defaultBranch: String?) {
        self.updatedRefs = updatedRefs
        self.defaultBranch = defaultBranch
    }
}

/// One ref a fetch changed: `old` nil for a new ref, `new` nil for a pruned one.
public struct GitRefUpdate: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var old: GitCommitID?
    public var new: GitCommitID?

    public init(name: String, old: GitCommitID?, new: GitCommitID?) {
        self.name = name
        self.old = old
        self.new = new
    }

    public var description: String {
        "\(name) \(old?.short ?? "(none)") -> \(new?.short ?? "(deleted)")"
    }
}

extension GitSource {
    /// Fetches, resolves `ref`, refuses rewinds from `lastApplied`, and returns the revision and its tree.
    public func poll(
        ref: String, path: String, lastApplied: GitCommitID?, allowRewind: Bool = false
    ) async throws -> (revision: SourceRevision, tree: any FileTree) {
        _ = try await fetch()
        let commit = try await resolve(ref)
        if let lastApplied {
            try await checkNoRewind(ref: ref, from: lastApplied, to: commit, allowRewind: allowRewind)
        }
        return (try await revision(of: commit, ref: ref), try await tree(at: commit, path: path))
    }
}
