public import BosunModel
import CLibGit2
import Foundation

/// The files under a directory of a commit's tree, read straight from the mirror's object database.
///
/// Symlinks are reported as `.symlink` and never followed; submodules are `.other`. Reads are local and
/// short, so they run on the caller's thread, serialised by a lock.
public final class GitCommitTree: FileTree, @unchecked Sendable {
    public let displayName: String
    /// The commit the tree belongs to.
    public let commit: GitCommitID
    /// The repository path the tree's root is at (`""` for the repository root).
    public let rootPath: String
    private let repository: MirrorRepository
    private let root: OpaquePointer
    private let lock = NSLock()

    /// Opens the tree of `commit` at `path`; throws `GitError.Code.notFound` when `path` is not a directory.
    init(repository: MirrorRepository, commit: GitCommitID, path: String) throws(GitError) {
        let parts = try Self.components(path, action: "read path", object: repository.object)
        let rootPath = parts.joined(separator: "/")
        let action = "read \(rootPath.isEmpty ? "tree" : "path \(rootPath)") at \(commit.short) of"
        let gitCommit = try repository.lookupCommit(commit, action: action)
        defer { git_commit_free(gitCommit) }
        var tree: OpaquePointer?
        try LibGit2.check(git_commit_tree(&tree, gitCommit), code: .read, action: action, object: repository.object)
        if !parts.isEmpty {
            defer { git_tree_free(tree) }
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, tree, rootPath) == 0 else {
                throw GitError(
                    code: .notFound, action: action, object: repository.object,
                    cause: "no such directory in the commit", hint: "check the source path")
            }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE else {
                throw GitError(
                    code: .notFound, action: action, object: repository.object,
                    cause: "the path is not a directory", hint: "the source path must name a directory")
            }
            var subtree: OpaquePointer?
            try LibGit2.check(
                git_tree_lookup(&subtree, repository.pointer, git_tree_entry_id(entry)), code: .read, action: action,
                object: repository.object)
            self.root = subtree!
        } else {
            self.root = tree!
        }
        self.repository = repository
        self.commit = commit
        self.rootPath = rootPath
        self.displayName = "\(repository.object)@\(commit.short):\(rootPath.isEmpty ? "/" : rootPath)"
    }

    deinit { git_tree_free(root) }

    public func readFile(_ path: String) throws -> [UInt8] {
        try lock.withLock {
            let entry = try entry(path)
            defer { git_tree_entry_free(entry) }
            let mode = git_tree_entry_filemode(entry)
            guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE else {
                throw FileTreeError(path: path, message: mode == GIT_FILEMODE_LINK ? "is a symlink" : "is not a file")
            }
            var blob: OpaquePointer?
            guard git_blob_lookup(&blob, repository.pointer, git_tree_entry_id(entry)) == 0 else {
                throw FileTreeError(path: path, message: "cannot read blob: \(LibGit2.lastErrorMessage())")
            }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: content, count: size))
        }
    }

    public func listDirectory(_ path: String) throws -> [FileTreeEntry] {
        try lock.withLock {
            var tree: OpaquePointer? = root
            var owned = false
            if try !Self.components(path).isEmpty {
                let entry = try entry(path)
                defer { git_tree_entry_free(entry) }
                guard git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE else {
                    throw FileTreeError(path: path, message: "is not a directory")
                }
                guard git_tree_lookup(&tree, repository.pointer, git_tree_entry_id(entry)) == 0 else {
                    throw FileTreeError(path: path, message: "cannot read tree: \(LibGit2.lastErrorMessage())")
                }
                owned = true
            }
            defer { if owned { git_tree_free(tree) } }
            var entries: [FileTreeEntry] = []
            for index in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, index) else { continue }
                let name = String(cString: git_tree_entry_name(entry))
                entries.append(FileTreeEntry(name: name, kind: Self.kind(git_tree_entry_filemode(entry))))
            }
            return entries.sorted { $0.name < $1.name }
        }
    }

    public func kind(of path: String) -> FileTreeEntry.Kind? {
        lock.withLock {
            guard let parts = try? Self.components(path) else { return nil }
            if parts.isEmpty { return .directory }
            guard let entry = try? entry(path) else { return nil }
            defer { git_tree_entry_free(entry) }
            return Self.kind(git_tree_entry_filemode(entry))
        }
    }

    public func isExecutable(_ path: String) -> Bool {
        lock.withLock {
            guard let entry = try? entry(path) else { return false }
            defer { git_tree_entry_free(entry) }
            return git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE
        }
    }

    /// The entry at `path` below the root; the caller frees it. Must hold the lock.
    private func entry(_ path: String) throws -> OpaquePointer {
        let joined = try Self.components(path).joined(separator: "/")
        var entry: OpaquePointer?
        guard !joined.isEmpty, git_tree_entry_bypath(&entry, root, joined) == 0, let entry else {
            throw FileTreeError(path: path, message: "no such file or directory")
        }
        return entry
    }

    private static func kind(_ mode: git_filemode_t) -> FileTreeEntry.Kind {
        switch mode {
        case GIT_FILEMODE_TREE: return .directory
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: return .file
        case GIT_FILEMODE_LINK: return .symlink
        default: return .other
        }
    }

    /// Splits a tree-relative path, dropping empty and `.` parts; `..` is refused so nothing escapes the root.
    private static func components(_ path: String) throws -> [String] {
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        if parts.contains("..") { throw FileTreeError(path: path, message: "path leaves the tree") }
        return parts
    }

    private static func components(_ path: String, action: String, object: String) throws(GitError) -> [String] {
        do {
            return try components(path)
        } catch {
            throw GitError(code: .notFound, action: "\(action) \(path) in", object: object, cause: "path leaves the repository")
        }
    }
}
