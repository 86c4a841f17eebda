import BosunModel
import Foundation
import Glibc

/// A directory bosun wrote itself (a copy in the source content store) seen as a `FileTree`, to check its
/// digest: symlinks are never followed (the copies have none).
struct StoredFileTree: FileTree {
    let root: String
    var displayName: String { root }

    func full(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    func readFile(_ path: String) throws -> [UInt8] {
        guard kind(of: path) == .file, let data = FileManager.default.contents(atPath: full(path)) else {
            throw FileTreeError(path: path, message: "cannot read the file")
        }
        return Array(data)
    }

    func listDirectory(_ path: String) throws -> [FileTreeEntry] {
        guard kind(of: path) == .directory else { throw FileTreeError(path: path, message: "not a directory") }
        let names = try FileManager.default.contentsOfDirectory(atPath: full(path)).sorted()
        return names.compactMap { name in kind(of: path.isEmpty ? name : path + "/" + name).map { FileTreeEntry(name: name, kind: $0) } }
    }

    func kind(of path: String) -> FileTreeEntry.Kind? {
        var info = stat()
        guard lstat(full(path), &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return lstat(full(path), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_mode & 0o100 != 0
    }
}
