/// What unpacking one tar entry of a layer does, decided before touching the disk: paths are normalised,
/// anything that could leave the snapshot is refused, and OCI whiteouts become overlayfs whiteouts.
public enum LayerOperation: Sendable, Hashable {
    /// Create the entry at `path` (relative, normalised, never empty except for the root's own metadata).
    case create(path: String, entry: TarEntry)
    /// Hide `path` of lower layers: overlayfs wants a 0/0 character device.
    case whiteout(path: String)
    /// Hide everything lower layers have in directory `path`: overlayfs wants `trusted.overlay.opaque=y`.
    case opaque(directory: String)
    /// Set the root directory's own metadata (an entry named `.` or `./`).
    case root(entry: TarEntry)

    /// Plans one entry; throws for absolute paths, `..` components, and links that would leave the layer.
    public static func plan(_ entry: TarEntry) throws(TarError) -> LayerOperation {
        guard let path = normalise(entry.path) else {
            throw TarError("entry \"\(entry.path)\" leaves the layer (absolute path or ..); refusing the layer")
        }
        if path.isEmpty {
            guard entry.kind == .directory else { throw TarError("entry \"\(entry.path)\" names the root but is not a directory") }
            return .root(entry: entry)
        }
        let (directory, name) = split(path)
        if name == ".wh..wh..opq" {
            return .opaque(directory: directory)
        }
        if name.hasPrefix(".wh.") {
            let hidden = String(name.dropFirst(4))
            guard !hidden.isEmpty, hidden != ".", hidden != ".." else { throw TarError("whiteout \"\(entry.path)\" names nothing") }
            return .whiteout(path: directory.isEmpty ? hidden : directory + "/" + hidden)
        }
        var entry = entry
        entry.path = path
        if entry.kind == .hardlink {
            guard let target = normalise(entry.linkName), !target.isEmpty else {
                throw TarError("hardlink \"\(entry.path)\" points outside the layer (\(entry.linkName)); refusing the layer")
            }
            entry.linkName = target
        }
        if entry.kind == .symlink && entry.linkName.isEmpty {
            throw TarError("symlink \"\(entry.path)\" has no target")
        }
        return .create(path: path, entry: entry)
    }

    /// `./a//b/` → `a/b`; nil for absolute paths or any `..` component.
    public static func normalise(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return nil }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// `a/b/c` → (`a/b`, `c`).
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}
