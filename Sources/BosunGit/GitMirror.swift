public import BosunModel
import Crypto
import Dispatch
import Foundation

/// A bare mirror of one remote repository in a local directory, reached through libgit2.
///
/// Every libgit2 call runs on the mirror's own serial dispatch queue, never on Swift's cooperative pool,
/// because libgit2 blocks. Fetches use an anonymous remote, so the mirror's config never holds the URL,
/// and credentials come only from `GitAccess` through libgit2's credential callback.
///
/// libgit2 1.5 has no connect timeout: a fetch from an unreachable host waits for the kernel's TCP
/// timeout. Cancelling the calling task stops a fetch only once data is flowing.
public final class GitMirror: GitSource {
    /// The bare repository's directory (created 0700 on the first fetch).
    public let directory: String
    /// The remote URL, without credentials.
    public let url: GitRemoteURL
    public let access: GitAccess
    private let queue: DispatchQueue

    public var repositoryURL: String { url.redacted }

    /// Describes a mirror of `url` in `directory`. User information in an http(s) URL is moved out of the
    /// URL into credentials unless `access` already has some (then it is dropped). No I/O happens here.
    public init(url text: String, access: GitAccess = GitAccess(), directory: String) throws(GitError) {
        let url = try GitRemoteURL(text)
        var access = access
        if access.credentials == .none, url.extractedUser != nil || url.extractedPassword != nil {
            access.credentials = .userPassword(username: url.extractedUser ?? "", password: url.extractedPassword ?? "")
        }
        self.url = url
        self.access = access
        self.directory = directory
        self.queue = DispatchQueue(label: "bosun.git.\(url.redacted)")
    }

    /// A directory name for a mirror of `url`: a readable slug of host and path plus a hash of the
    /// credential-free URL, e.g. `github.com-org-repo.git-3f2a9c1b0d4e5f67`.
    public static func directoryName(for url: String) -> String {
        let redacted = (try? GitRemoteURL(url).redacted) ?? GitRemoteURL.redact(url)
        let hash = Hex.encode(SHA256.hash(data: Data(redacted.utf8)).prefix(8))
        var slug = redacted
        if let range = slug.range(of: "://") { slug = String(slug[range.upperBound...]) }
        if let at = slug.firstIndex(of: "@") { slug = String(slug[slug.index(after: at)...]) }
        let cleaned = String(slug.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
        let trimmed = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: "-.")).suffix(48)
        return (trimmed.isEmpty ? "repo" : String(trimmed)) + "-" + hash
    }

    /// Fetches every branch and tag; then, past `MirrorRepository.packLimit` packs, merges them into one
    /// (keeping the commits in `keeping` even when no ref reaches them any more).
    public func fetch() async throws -> GitFetchResult { try await fetch(keeping: []) }

    public func fetch(keeping: [GitCommitID]) async throws -> GitFetchResult {
        let context = RemoteCallbackContext(url: url, access: access)
        let (directory, object, scheme, caBundle) = (self.directory, url.redacted, url.scheme, access.caBundleFile)
        return try await withTaskCancellationHandler {
            try await run { () throws(GitError) -> GitFetchResult in
                let repository = try MirrorRepository.open(directory: directory, object: object, create: true)
                let result: GitFetchResult
                if scheme == .https {
                    result = try TLSTrust.withTrust(caBundle: caBundle, object: object) { () throws(GitError) in
                        try repository.fetch(context)
                    }
                } else {
                    result = try repository.fetch(context)
                }
                // Only a fetch that brought something wrote a pack: an idle poll does not list the pack directory.
                if !result.updatedRefs.isEmpty { try repository.consolidatePacks(keeping: keeping) }
                return result
            }
        } onCancel: {
            context.cancel()
        }
    }

    public func resolve(_ ref: String) async throws -> GitCommitID {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) in
            try MirrorRepository.open(directory: directory, object: object, create: false).resolve(ref)
        }
    }

    public func revision(of commit: GitCommitID, ref: String) async throws -> SourceRevision {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) in
            try MirrorRepository.open(directory: directory, object: object, create: false).revision(of: commit, ref: ref)
        }
    }

    public func tree(at commit: GitCommitID, path: String) async throws -> any FileTree {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) -> GitCommitTree in
            let repository = try MirrorRepository.open(directory: directory, object: object, create: false)
            return try GitCommitTree(repository: repository, commit: commit, path: path)
        }
    }

    /// The raw commit object `commit` (what its signature covers).
    public func rawCommit(_ commit: GitCommitID) async throws -> [UInt8] {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) in
            try MirrorRepository.open(directory: directory, object: object, create: false).rawCommit(commit)
        }
    }

    /// The mirror's tag names.
    public func tagNames() async throws -> [String] {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) in
            try MirrorRepository.open(directory: directory, object: object, create: false).tagNames()
        }
    }

    /// The raw annotated tag object of `refs/tags/<name>`; nil for a lightweight tag.
    public func rawTag(named name: String) async throws -> [UInt8]? {
        let (directory, object) = (self.directory, url.redacted)
        return try await run { () throws(GitError) in
            try MirrorRepository.open(directory: directory, object: object, create: false).rawTag(named: name)
        }
    }

    public func checkNoRewind(ref: String, from last: GitCommitID, to new: GitCommitID, allowRewind: Bool) async throws {
        let (directory, object) = (self.directory, url.redacted)
        try await run { () throws(GitError) in
            let repository = try MirrorRepository.open(directory: directory, object: object, create: false)
            do {
                try RewindGuard.check(
                    ref: repository.qualify(ref), repositoryURL: object, from: last, to: new, allowRewind: allowRewind
                ) { () throws(GitError) -> Bool? in
                    repository.contains(last) ? try repository.isDescendant(new, of: last) : nil
                }
            } catch let error as GitError {
                throw error
            } catch {
                throw GitError(code: .read, action: "check history of", object: object, cause: "\(error)")
            }
        }
    }

    /// Runs `body` on the mirror's queue and resumes the caller with its result.
    private func run<T: Sendable>(_ body: @escaping @Sendable () throws(GitError) -> T) async throws(GitError) -> T {
        let result: Result<T, GitError> = await withCheckedContinuation { continuation in
            queue.async { [queue] in
                dispatchPrecondition(condition: .onQueue(queue))
                do throws(GitError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
