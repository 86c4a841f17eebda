import BosunModel
import Foundation

/// The repository's root, found from this source file's path.
enum URLPath {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}

/// Reads a directory on disk into an in-memory tree (the manifest module itself never touches the disk).
enum DirectoryTreeForTests {
    static func load(_ root: String) throws -> InMemoryFileTree {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))) }
        }
        return InMemoryFileTree(displayName: root, files: files)
    }
}
