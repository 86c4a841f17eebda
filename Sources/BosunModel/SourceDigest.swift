import Crypto

/// The content digest of a file or directory of the desired state's tree that a service reads (a relative
/// bind mount, an `env_file`, a secret's file): part of the service's config hash, so a commit that changes
/// it recreates exactly the services that read it, and one that leaves it alone changes nothing.
///
/// A file is `sha256:<hex of its bytes>` (what `sha256sum` prints), with `+x` when it is executable. A
/// directory is `tree-sha256:<hex>` of one line per entry, sorted by name — `<digest> <name>\n` — over its
/// files and directories (symlinks and special files are not exported, so they are not part of it; nor is
/// `.git`). The same content gives the same digest from a git commit or from a directory on disk.
public enum SourceDigest {
    /// The digest of `path` in `tree`; nil when nothing (or only a symlink) is there.
    public static func of(_ tree: any FileTree, path: String) throws -> String? {
        switch tree.kind(of: path) {
        case .file:
            let digest = ConfigHash.digest(try tree.readFile(path))
            return tree.isExecutable(path) ? digest + "+x" : digest
        case .directory:
            var listing: [UInt8] = []
            for entry in try tree.listDirectory(path) where entry.name != ".git" {
                let child = path.isEmpty ? entry.name : path + "/" + entry.name
                guard entry.kind == .file || entry.kind == .directory, let digest = try of(tree, path: child) else { continue }
                listing += Array("\(digest) \(entry.name)\n".utf8)
            }
            return "tree-" + ConfigHash.digest(listing)
        default:
            return nil
        }
    }

    /// The name a digest is stored under on disk: its hex, with `x` for an executable file and `t` for a tree.
    public static func storeName(_ digest: String) -> String {
        let hex = digest.split(separator: ":").last.map { String($0.prefix { $0 != "+" }) } ?? digest
        if digest.hasPrefix("tree-") { return "t" + hex }
        return (digest.hasSuffix("+x") ? "x" : "f") + hex
    }
}
