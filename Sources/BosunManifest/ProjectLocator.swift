public import BosunModel

/// Finds the compose projects under a path of a tree: the path itself when it holds a compose file, otherwise
/// each direct subdirectory that holds one.
public enum ProjectLocator {
    /// The file names Compose looks for, in its order of preference.
    public static let composeFileNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
    /// Override files Compose would merge on top; bosun refuses them rather than ignore them.
    static let overrideFileNames = ["compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"]

    /// A project's directory and compose file, tree-relative.
    public struct Location: Sendable, Hashable {
        public var directory: String
        public var composeFile: String
        /// Other compose file names present in the same directory (Compose would refuse the ambiguity; bosun warns).
        public var alsoPresent: [String]
    }

    /// The projects under `path`; throws when `path` is missing or holds no compose file at all.
    public static func locate(in tree: any FileTree, path: String) throws -> [Location] {
        let root = ProjectContext.normalise(path) ?? path
        guard tree.kind(of: root) == .directory || root.isEmpty else {
            throw FileTreeError(path: path.isEmpty ? "." : path, message: "no such directory in \(tree.displayName)")
        }
        if let location = try project(in: tree, directory: root) { return [location] }
        var result: [Location] = []
        for entry in try tree.listDirectory(root) where entry.kind == .directory && !entry.name.hasPrefix(".") {
            if let location = try project(in: tree, directory: joined(root, entry.name)) { result.append(location) }
        }
        if result.isEmpty {
            throw FileTreeError(path: root.isEmpty ? "." : root, message: "no compose.yaml here or in its subdirectories (looked for \(composeFileNames.joined(separator: ", ")))")
        }
        return result
    }

    static func project(in tree: any FileTree, directory: String) throws -> Location? {
        let names = Set(try tree.listDirectory(directory).filter { $0.kind == .file || $0.kind == .symlink }.map(\.name))
        let found = composeFileNames.filter(names.contains)
        guard let first = found.first else { return nil }
        return Location(directory: directory, composeFile: joined(directory, first), alsoPresent: Array(found.dropFirst()) + overrideFileNames.filter(names.contains))
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}
