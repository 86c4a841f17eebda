public import BosunFailure

/// A read-only tree of files — a directory on disk or a commit's tree in git — that manifests are read from.
///
/// Paths are relative to the tree's root and use `/` separators; `""` is the root itself.
public protocol FileTree: Sendable {
    /// How the root is shown in messages, e.g. `manifests` or `git://host/repo@1a2b3c4`.
    var displayName: String { get }
    /// The bytes of the file at `path`; throws `FileTreeError` when it is missing or not a file.
    func readFile(_ path: String) throws -> [UInt8]
    /// The entries of the directory at `path`, sorted by name; throws `FileTreeError` when it is not a directory.
    func listDirectory(_ path: String) throws -> [FileTreeEntry]
    /// The kind of object at `path`, or nil when nothing is there.
    func kind(of path: String) -> FileTreeEntry.Kind?
    /// Whether the file at `path` is executable (git's 100755, a directory's `x` bit); false when unknown.
    func isExecutable(_ path: String) -> Bool
}

/// One entry of a `FileTree` directory.
public struct FileTreeEntry: Sendable, Hashable {
    /// What an entry is.
    public enum Kind: Sendable, Hashable { case file, directory, symlink, other }
    public var name: String
    public var kind: Kind
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// Why a `FileTree` could not answer.
public struct FileTreeError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

extension FileTree {
    /// Trees that do not know file modes (in memory) have no executable files.
    public func isExecutable(_ path: String) -> Bool { false }

    /// Joins tree-relative path components, ignoring empty ones.
    public static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}

extension FileTreeError: FailureDescribing {
    public var failure: Failure { Failure(action: "read", object: path, cause: message, handling: .fixInput) }
}
