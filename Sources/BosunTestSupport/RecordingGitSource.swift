public import BosunGit
public import BosunModel
import Foundation

/// A fake `GitSource` that records every call and answers from configured refs, commits and trees.
///
/// Set `refs` (ref -> commit), `revisions`, `trees` (commit -> files at a path), `ancestors` (commit ->
/// commits it descends from) and `fetchError`; then read `calls` to see what a planner or agent asked.
public final class RecordingGitSource: GitSource, @unchecked Sendable {
    /// One recorded call.
    public enum Call: Sendable, Equatable {
        case fetch
        case resolve(String)
        case revision(GitCommitID, ref: String)
        case tree(GitCommitID, path: String)
        case checkNoRewind(ref: String, from: GitCommitID, to: GitCommitID, allowRewind: Bool)
    }

    public let repositoryURL: String
    private let lock = NSLock()
    private var state = State()

    private struct State {
        var calls: [Call] = []
        var refs: [String: GitCommitID] = [:]
        var revisions: [GitCommitID: SourceRevision] = [:]
        var trees: [GitCommitID: [String: InMemoryFileTree]] = [:]
        var ancestors: [GitCommitID: Set<GitCommitID>] = [:]
        var fetchError: GitError?
        var fetchResult = GitFetchResult(updatedRefs: [], defaultBranch: nil)
    }

    public init(repositoryURL: String) {
        self.repositoryURL = GitRemoteURL.redact(repositoryURL)
    }

    /// The calls made so far, in order.
    public var calls: [Call] { lock.withLock { state.calls } }

    /// Points `ref` at `commit`, as if a fetch had brought it.
    public func setRef(_ ref: String, to commit: GitCommitID) { lock.withLock { state.refs[ref] = commit } }
    /// The revision returned for `commit` (otherwise a synthetic one).
    public func setRevision(_ revision: SourceRevision, for commit: GitCommitID) { lock.withLock { state.revisions[commit] = revision } }
    /// The files of `commit` under `path`.
    public func setTree(_ files: [String: [UInt8]], at commit: GitCommitID, path: String) {
        lock.withLock {
            state.trees[commit, default: [:]][path] = InMemoryFileTree(
                displayName: "\(repositoryURL)@\(commit.short):\(path.isEmpty ? "/" : path)", files: files)
        }
    }
    /// Declares that `commit` descends from each of `ancestors`.
    public func setAncestors(_ ancestors: Set<GitCommitID>, of commit: GitCommitID) { lock.withLock { state.ancestors[commit] = ancestors } }
    /// Makes the next fetches fail with `error` (nil to succeed again).
    public func setFetchError(_ error: GitError?) { lock.withLock { state.fetchError = error } }

    public func fetch() async throws -> GitFetchResult {
        try lock.withLock {
            state.calls.append(.fetch)
            if let error = state.fetchError { throw error }
            return state.fetchResult
        }
    }

    public func resolve(_ ref: String) async throws -> GitCommitID {
        try lock.withLock {
            state.calls.append(.resolve(ref))
            if let commit = state.refs[ref] ?? state.refs["refs/heads/\(ref)"] ?? state.refs["refs/tags/\(ref)"] { return commit }
            if let commit = GitCommitID(ref) { return commit }
            throw GitError(code: .notFound, action: "resolve ref \(ref) in", object: repositoryURL, cause: "no branch, tag or commit has this name")
        }
    }

    public func revision(of commit: GitCommitID, ref: String) async throws -> SourceRevision {
        lock.withLock {
            state.calls.append(.revision(commit, ref: ref))
            if let revision = state.revisions[commit] { return revision }
            let nobody = SourceRevision.Signature(name: "test", email: "test@example.invalid", time: 0, offsetMinutes: 0)
            return SourceRevision(repositoryURL: repositoryURL, ref: ref, commitID: commit.hex, author: nobody, committer: nobody, subject: "commit \(commit.short)")
        }
    }

    public func tree(at commit: GitCommitID, path: String) async throws -> any FileTree {
        try lock.withLock {
            state.calls.append(.tree(commit, path: path))
            guard let tree = state.trees[commit]?[path] else {
                throw GitError(code: .notFound, action: "read path \(path) at \(commit.short) of", object: repositoryURL, cause: "no such directory in the commit")
            }
            return tree
        }
    }

    public func checkNoRewind(ref: String, from last: GitCommitID, to new: GitCommitID, allowRewind: Bool) async throws {
        let ancestors = lock.withLock {
            state.calls.append(.checkNoRewind(ref: ref, from: last, to: new, allowRewind: allowRewind))
            return state.ancestors[new] ?? []
        }
        try RewindGuard.check(ref: ref, repositoryURL: repositoryURL, from: last, to: new, allowRewind: allowRewind) {
            ancestors.contains(last)
        }
    }
}
