import BosunModel
import CLibGit2
import Foundation

/// A libgit2 handle on a bare mirror and the blocking operations on it; used on one thread at a time.
final class MirrorRepository {
    let pointer: OpaquePointer
    /// The repository URL without credentials, for messages.
    let object: String

    private init(pointer: OpaquePointer, object: String) {
        self.pointer = pointer
        self.object = object
    }

    deinit { git_repository_free(pointer) }

    /// Opens the bare mirror at `directory`, creating it (mode 0700, parents too) when `create` is set.
    static func open(directory: String, object: String, create: Bool) throws(GitError) -> MirrorRepository {
        try LibGit2.initialize()
        var repo: OpaquePointer?
        if git_repository_open_bare(&repo, directory) == 0, let repo {
            return MirrorRepository(pointer: repo, object: object)
        }
        guard create else {
            throw GitError(
                code: .mirror, action: "open mirror of", object: object,
                cause: "no mirror at \(directory)", hint: "fetch the source first")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        } catch {
            throw GitError(
                code: .mirror, action: "create mirror directory", object: directory,
                cause: "\(error.localizedDescription)".lowercased(), hint: "check that the state directory is writable")
        }
        var options = git_repository_init_options()
        git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        options.flags = GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
        try LibGit2.check(
            git_repository_init_ext(&repo, directory, &options), code: .mirror, action: "create mirror of", object: object)
        return MirrorRepository(pointer: repo!, object: object)
    }

    /// Fetches all branches and tags from `url`, force-updating and pruning, without FETCH_HEAD or a named remote.
    func fetch(_ ctx: RemoteCallbackContext) throws(GitError) -> GitFetchResult {
        var remote: OpaquePointer?
        // An anonymous remote without `url.*.insteadOf` rewriting (the global and system configs are not read
        // anyway): libgit2 1.5 looks the rewrites up with a regular expression whose PCRE2 match data it never
        // frees when nothing matches — ~40 KB lost per fetch, 2.4 MB a minute for an agent polling every second.
        var createOptions = git_remote_create_options()
        git_remote_create_options_init(&createOptions, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        createOptions.repository = pointer
        createOptions.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        try LibGit2.check(
            git_remote_create_with_opts(&remote, ctx.url.redacted, &createOptions), code: .fetch, action: "fetch", object: object,
            scrub: ctx.scrub)
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.update_fetchhead = 0
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        ctx.install(into: &options.callbacks)
        let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
        let rc = LibGit2.withStrArray(refspecs) { array in git_remote_fetch(remote, &array, &options, "fetch") }
        if rc < 0 {
            if let error = ctx.error { throw error }
            if ctx.isCancelled {
                throw GitError(code: .fetch, action: "fetch", object: object, cause: "cancelled")
            }
            let cause = ctx.scrub(LibGit2.lastErrorMessage(rc))
            if rc == GIT_EAUTH.rawValue || cause.lowercased().contains("authenticat") {
                throw GitError(
                    code: .authentication, action: "fetch", object: object, cause: cause,
                    hint: "check the credentials: key file, passphrase, user name, password or token")
            }
            if rc == GIT_ECERTIFICATE.rawValue {
                throw GitError(
                    code: .certificate, action: "fetch", object: object, cause: cause,
                    hint: "give the CA bundle that signed the server's certificate")
            }
            throw GitError(code: .fetch, action: "fetch", object: object, cause: cause, hint: Self.fetchHint(for: cause))
        }
        var defaultBranch: String?
        var buffer = git_buf()
        if git_remote_default_branch(&buffer, remote) == 0, let name = buffer.ptr {
            defaultBranch = String(cString: name)
            git_repository_set_head(pointer, name)
        }
        git_buf_dispose(&buffer)
        return GitFetchResult(updatedRefs: ctx.updates, defaultBranch: defaultBranch)
    }

    /// Resolves a branch, tag, full ref name, `HEAD`, or full or abbreviated commit id to a commit.
    func resolve(_ ref: String) throws(GitError) -> GitCommitID {
        let action = "resolve ref \(ref) in"
        guard !ref.isEmpty else {
            throw GitError(code: .notFound, action: "resolve ref in", object: object, cause: "the ref is empty")
        }
        let candidates: [String]
        if ref == "HEAD" || ref.hasPrefix("refs/") {
            candidates = [ref]
        } else {
            candidates = ["refs/heads/\(ref)", "refs/tags/\(ref)"]
        }
        for name in candidates {
            var reference: OpaquePointer?
            guard git_reference_lookup(&reference, pointer, name) == 0 else { continue }
            defer { git_reference_free(reference) }
            var peeled: OpaquePointer?
            try LibGit2.check(
                git_reference_peel(&peeled, reference, GIT_OBJECT_COMMIT), code: .notFound, action: action, object: object,
                hint: "the ref does not point to a commit")
            defer { git_object_free(peeled) }
            return GitCommitID(LibGit2.hex(git_object_id(peeled)))!
        }
        if (4...Int(GIT_OID_HEXSZ)).contains(ref.count), ref.allSatisfy(\.isHexDigit) {
            var oid = git_oid()
            var object: OpaquePointer?
            if git_oid_fromstrn(&oid, ref, ref.count) == 0 {
                let rc = git_object_lookup_prefix(&object, pointer, &oid, ref.count, GIT_OBJECT_ANY)
                if rc == GIT_EAMBIGUOUS.rawValue {
                    throw GitError(
                        code: .notFound, action: action, object: self.object,
                        cause: "the abbreviated id is ambiguous", hint: "give more digits of the commit id")
                }
                if rc == 0 {
                    defer { git_object_free(object) }
                    var commit: OpaquePointer?
                    try LibGit2.check(
                        git_object_peel(&commit, object, GIT_OBJECT_COMMIT), code: .notFound, action: action,
                        object: self.object, hint: "the id does not name a commit")
                    defer { git_object_free(commit) }
                    return GitCommitID(LibGit2.hex(git_object_id(commit)))!
                }
            }
        }
        throw GitError(
            code: .notFound, action: action, object: object, cause: "no branch, tag or commit has this name",
            hint: "check the ref name, and that the mirror was fetched")
    }

    /// Looks up a commit; the caller frees it with `git_commit_free`.
    func lookupCommit(_ id: GitCommitID, action: String) throws(GitError) -> OpaquePointer {
        var oid = git_oid()
        try LibGit2.check(git_oid_fromstr(&oid, id.hex), code: .notFound, action: action, object: object)
        var commit: OpaquePointer?
        try LibGit2.check(
            git_commit_lookup(&commit, pointer, &oid), code: .notFound, action: action, object: object,
            hint: "the commit is not in the mirror; fetch first")
        return commit!
    }

    /// The commit's author, committer and subject as a `SourceRevision`.
    func revision(of id: GitCommitID, ref: String) throws(GitError) -> SourceRevision {
        let commit = try lookupCommit(id, action: "read commit \(id.short) of")
        defer { git_commit_free(commit) }
        func signature(_ pointer: UnsafePointer<git_signature>?) -> SourceRevision.Signature {
            guard let sig = pointer?.pointee else { return .init(name: "", email: "", time: 0, offsetMinutes: 0) }
            return .init(
                name: sig.name.map { String(cString: $0) } ?? "", email: sig.email.map { String(cString: $0) } ?? "",
                time: sig.when.time, offsetMinutes: sig.when.offset)
        }
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        let subject = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        return SourceRevision(
            repositoryURL: object, ref: ref, commitID: id.hex,
            author: signature(git_commit_author(commit)), committer: signature(git_commit_committer(commit)),
            subject: subject)
    }

    /// The raw bytes of the commit object `id` (what `git cat-file commit` prints): what its signature covers.
    func rawCommit(_ id: GitCommitID) throws(GitError) -> [UInt8] {
        let action = "read commit \(id.short) of"
        var oid = git_oid()
        try LibGit2.check(git_oid_fromstr(&oid, id.hex), code: .notFound, action: action, object: object)
        var odb: OpaquePointer?
        try LibGit2.check(git_repository_odb(&odb, pointer), code: .read, action: action, object: object)
        defer { git_odb_free(odb) }
        var raw: OpaquePointer?
        try LibGit2.check(git_odb_read(&raw, odb, &oid), code: .notFound, action: action, object: object,
                          hint: "the commit is not in the mirror; fetch first")
        defer { git_odb_object_free(raw) }
        guard git_odb_object_type(raw) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(raw) else {
            throw GitError(code: .read, action: action, object: object, cause: "the object is not a commit")
        }
        return Array(UnsafeRawBufferPointer(start: data, count: git_odb_object_size(raw)))
    }

    /// The names of the mirror's tags (without `refs/tags/`).
    func tagNames() throws(GitError) -> [String] {
        var array = git_strarray()
        try LibGit2.check(git_tag_list(&array, pointer), code: .read, action: "list the tags of", object: object)
        defer { git_strarray_dispose(&array) }
        return (0..<array.count).compactMap { array.strings[$0].map { String(cString: $0) } }
    }

    /// The raw annotated tag object `refs/tags/<name>` points to (what its signature covers); nil for a
    /// lightweight tag (the ref points at a commit).
    func rawTag(named name: String) throws(GitError) -> [UInt8]? {
        let action = "read tag \(name) of"
        var reference: OpaquePointer?
        try LibGit2.check(git_reference_lookup(&reference, pointer, "refs/tags/" + name), code: .notFound, action: action, object: object)
        defer { git_reference_free(reference) }
        guard var oid = git_reference_target(reference)?.pointee else {
            throw GitError(code: .read, action: action, object: object, cause: "the tag is a symbolic reference")
        }
        var odb: OpaquePointer?
        try LibGit2.check(git_repository_odb(&odb, pointer), code: .read, action: action, object: object)
        defer { git_odb_free(odb) }
        var raw: OpaquePointer?
        try LibGit2.check(git_odb_read(&raw, odb, &oid), code: .notFound, action: action, object: object)
        defer { git_odb_object_free(raw) }
        guard git_odb_object_type(raw) == GIT_OBJECT_TAG, let data = git_odb_object_data(raw) else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: git_odb_object_size(raw)))
    }

    /// Whether the mirror holds the commit `id`.
    func contains(_ id: GitCommitID) -> Bool {
        guard let commit = try? lookupCommit(id, action: "look up") else { return false }
        git_commit_free(commit)
        return true
    }

    /// The full name of a branch or tag `ref` names (`main` -> `refs/heads/main`), else `ref` itself.
    func qualify(_ ref: String) -> String {
        guard !ref.hasPrefix("refs/"), ref != "HEAD" else { return ref }
        for name in ["refs/heads/\(ref)", "refs/tags/\(ref)"] {
            var reference: OpaquePointer?
            if git_reference_lookup(&reference, pointer, name) == 0 {
                git_reference_free(reference)
                return name
            }
        }
        return ref
    }

    /// Whether `new` is a descendant of `last`; throws when `last` is not in the mirror.
    func isDescendant(_ new: GitCommitID, of last: GitCommitID) throws(GitError) -> Bool {
        let newCommit = try lookupCommit(new, action: "read commit \(new.short) of")
        git_commit_free(newCommit)
        let lastCommit = try lookupCommit(last, action: "read last applied commit \(last.short) of")
        git_commit_free(lastCommit)
        var newOid = git_oid(), lastOid = git_oid()
        git_oid_fromstr(&newOid, new.hex)
        git_oid_fromstr(&lastOid, last.hex)
        let rc = git_graph_descendant_of(pointer, &newOid, &lastOid)
        try LibGit2.check(rc, code: .read, action: "compare commits \(last.short) and \(new.short) of", object: object)
        return rc == 1
    }
}
