public import BosunModel
public import BosunGit
import Foundation
import BosunLinux

/// Opens a `SourceSpec`: for a repository, fetches its mirror under the state directory and reads the
/// resolved commit's tree without a checkout; for a directory, reads the directory.
public struct SourceReader: Sendable {
    /// The state directory; git mirrors live in `<stateDirectory>/git/`.
    public let stateDirectory: String

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// What was read: the tree to load manifests from, the path in it, and the commit when from git.
    public struct Opened: Sendable {
        public var tree: any FileTree
        /// The manifests' path inside `tree`.
        public var path: String
        public var revision: SourceRevision?
        /// The name of the tree's root directory: the directory's base name, or the repository's name.
        public var rootName: String

        public init(tree: any FileTree, path: String, revision: SourceRevision?, rootName: String) {
            self.tree = tree
            self.path = path
            self.revision = revision
            self.rootName = rootName
        }
    }

    public func open(_ spec: SourceSpec) async throws -> Opened {
        try await source(for: spec).open(lastApplied: spec.lastApplied, allowRewind: spec.allowRewind)
    }

    /// The mirror of `repository` under the state directory, created 0700 along with its parents.
    public func mirror(for repository: String, access: GitAccess) throws -> GitMirror {
        var url = repository
        if !repository.contains("://") && !repository.contains("@") {
            // A local path: make it absolute so the mirror does not depend on the working directory.
            url = repository.hasPrefix("/") ? repository : FileManager.default.currentDirectoryPath + "/" + repository
        }
        _ = try StateDirectory.ensure(stateDirectory)
        let directory = try StateDirectory.ensure(StateLayout(stateDirectory).git)
        return try GitMirror(url: url, access: access, directory: directory + "/" + GitMirror.directoryName(for: url))
    }
}

/// The agent's state directory: created owner-only (0700), and tightened to 0700 when it exists wider.
public enum StateDirectory {
    /// Creates `<root>/<components…>` with mode 0700 at each level bosun owns; returns its path.
    public static func ensure(_ root: String, _ components: String...) throws -> String {
        var path = root
        try make(path)
        for component in components {
            path += "/" + component
            try make(path)
        }
        return path
    }

    static func make(_ path: String) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FileTreeError(path: path, message: "the state directory exists but is not a directory")
            }
            if info.st_mode & 0o077 != 0 && info.st_uid == getuid() { chmod(path, 0o700) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path && lstat(parent, &info) != 0 {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw FileTreeError(path: path, message: "cannot create the state directory: \(Errno.text(errno))")
        }
        chmod(path, 0o700)
    }
}
