public import BosunModel
import Foundation

/// A directory on disk seen as a `FileTree`. Symlinks are followed only when they stay inside the root.
public struct DirectoryFileTree: FileTree {
    /// The absolute, symlink-resolved root.
    public let root: String
    public let displayName: String

    public init(root: String, displayName: String? = nil) throws {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        guard let resolved = realpath(absolute, nil) else {
            throw FileTreeError(path: root, message: "no such directory")
        }
        defer { free(resolved) }
        self.root = String(cString: resolved)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: self.root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileTreeError(path: root, message: "not a directory")
        }
        self.displayName = displayName ?? root
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        let full = try contained(path)
        guard let data = FileManager.default.contents(atPath: full) else {
            throw FileTreeError(path: path, message: "cannot read the file")
        }
        return Array(data)
    }

    public func listDirectory(_ path: String) throws -> [FileTreeEntry] {
        let full = try contained(path)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: full) } catch {
            throw FileTreeError(path: path, message: "not a directory")
        }
        return names.sorted().compactMap { name in
            kind(ofAbsolute: full + "/" + name).map { FileTreeEntry(name: name, kind: $0) }
        }
    }

    public func kind(of path: String) -> FileTreeEntry.Kind? {
        guard let full = try? contained(path) else { return nil }
        return kind(ofAbsolute: full)
    }

    public func isExecutable(_ path: String) -> Bool {
        guard let full = try? contained(path) else { return false }
        var info = stat()
        return stat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_mode & 0o100 != 0
    }

    /// The kind after following a symlink that stays inside the root.
    func kind(ofAbsolute full: String) -> FileTreeEntry.Kind? {
        var info = stat()
        guard lstat(full, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(full, nil) else { return .symlink }
            defer { free(resolved) }
            let target = String(cString: resolved)
            guard target == root || target.hasPrefix(root + "/"), stat(target, &info) == 0 else { return .symlink }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The absolute path for a tree path, refusing any that resolves outside the root.
    func contained(_ path: String) throws -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw FileTreeError(path: path, message: "path leaves the tree") }
        let full = parts.isEmpty ? root : root + "/" + parts.joined(separator: "/")
        guard let resolved = realpath(full, nil) else {
            throw FileTreeError(path: path, message: "no such file or directory")
        }
        defer { free(resolved) }
        let target = String(cString: resolved)
        guard target == root || target.hasPrefix(root + "/") else {
            throw FileTreeError(path: path, message: "a symlink leads outside the tree")
        }
        return target
    }
}
