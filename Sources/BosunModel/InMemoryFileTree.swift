
/// A `FileTree` held in memory: file paths mapped to contents, plus symlinks; for tests and fakes.
public struct InMemoryFileTree: FileTree {
    public let displayName: String
    private let files: [String: [UInt8]]
    private let symlinks: Set<String>
    private let directories: Set<String>

    /// `files` maps `a/b.yaml` style paths to contents; directories are implied; `symlinks` are paths shown as links.
    public init(displayName: String, files: [String: [UInt8]], symlinks: Set<String> = []) {
        self.displayName = displayName
        self.files = files
        self.symlinks = symlinks
        var directories: Set<String> = [""]
        for path in Array(files.keys) + Array(symlinks) {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                directories.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        self.directories = directories
    }

    private static func normalise(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        let path = Self.normalise(path)
        if symlinks.contains(path) { throw FileTreeError(path: path, message: "is a symlink") }
        guard let content = files[path] else {
            throw FileTreeError(path: path, message: directories.contains(path) ? "is not a file" : "no such file or directory")
        }
        return content
    }

    public func listDirectory(_ path: String) throws -> [FileTreeEntry] {
        let path = Self.normalise(path)
        guard directories.contains(path) else { throw FileTreeError(path: path, message: "is not a directory") }
        let prefix = path.isEmpty ? "" : path + "/"
        var entries: Set<FileTreeEntry> = []
        for candidate in Set(files.keys).union(symlinks).union(directories) where candidate.hasPrefix(prefix) && candidate != path {
            let rest = candidate.dropFirst(prefix.count)
            guard !rest.isEmpty, !rest.contains("/") else { continue }
            if let kind = kind(of: candidate) { entries.insert(FileTreeEntry(name: String(rest), kind: kind)) }
        }
        return entries.sorted { $0.name < $1.name }
    }

    public func kind(of path: String) -> FileTreeEntry.Kind? {
        let path = Self.normalise(path)
        if symlinks.contains(path) { return .symlink }
        if files[path] != nil { return .file }
        if directories.contains(path) { return .directory }
        return nil
    }
}
