public import BosunModel
import Foundation
import Glibc
import BosunLinux

/// The files of a commit on disk, for what containers bind from the repository (`./www:/srv/www:ro`) and
/// for secrets: `<directory>/<commit>/<path>/…` (executable files stay executable), written once per commit (into a temporary directory
/// renamed into place, so a crash never leaves half a tree), read-only, never following anything out of
/// the tree (symlinks in the repository are not exported). A directory source needs no export: its files
/// are used where they are.
public enum SourceExport {
    /// How many exported commits are kept (the newest by modification time); older ones are removed.
    public static let kept = 5

    /// Exports `path` (and everything below it) of `tree` under `directory/<commit>`, returns that root.
    public static func export(_ tree: any FileTree, path: String, commit: String, into directory: String) throws -> String {
        let root = directory + "/" + commit
        if FileManager.default.fileExists(atPath: root) {
            utimes(root, nil)  // used again: the newest, so pruning by age keeps it (a held project's export beside HEAD's)
            return root
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = directory + "/.\(commit).\(getpid()).tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try copy(tree, path, to: temporary)
            guard rename(temporary, root) == 0 || errno == EEXIST || errno == ENOTEMPTY else {
                throw FileTreeError(path: root, message: "cannot rename the export into place: \(Errno.text(errno))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        prune(directory, keeping: commit)
        return root
    }

    static func copy(_ tree: any FileTree, _ path: String, to destination: String) throws {
        let target = path.isEmpty ? destination : destination + "/" + path
        switch tree.kind(of: path) {
        case .file:
            let bytes = try tree.readFile(path)
            try Data(bytes).write(to: URL(fileURLWithPath: target))
            chmod(target, tree.isExecutable(path) ? 0o755 : 0o644)
        case .directory:
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for entry in try tree.listDirectory(path) where entry.name != ".git" {
                let child = path.isEmpty ? entry.name : path + "/" + entry.name
                if entry.kind == .file || entry.kind == .directory { try copy(tree, child, to: destination) }
            }
        default:
            return
        }
    }

    /// Removes all but the `kept` newest exports (the current one always stays).
    static func prune(_ directory: String, keeping current: String) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") && $0 != current }
        let dated = names.map { name -> (String, Date) in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return (name, attributes?[.modificationDate] as? Date ?? .distantPast)
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(kept - 1) { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
    }
}
