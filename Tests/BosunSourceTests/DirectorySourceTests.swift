import BosunModel
import BosunSource
import Foundation
import Testing

/// A directory source: what it reads, and the origin the state directory's owner check compares.
@Suite("Directory source")
struct DirectorySourceTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "bosun-directory-source-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/app", withIntermediateDirectories: true)
        try Data("name: app\nservices: {}\n".utf8).write(to: URL(fileURLWithPath: path + "/app/compose.yaml"))
        return path
    }

    @Test("opens the directory as it is now, named by its base name, with no revision")
    func opens() async throws {
        let path = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let opened = try await DirectorySource(path: path).open(lastApplied: nil, allowRewind: false)
        #expect(opened.revision == nil)
        #expect(opened.rootName == (path as NSString).lastPathComponent)
        #expect(try opened.tree.readFile("app/compose.yaml") == Array("name: app\nservices: {}\n".utf8))
    }

    @Test("one directory spelled two ways is one origin; another directory is another")
    func origin() throws {
        let path = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plain = DirectorySource(path: path + "/app").origin
        let spelled = DirectorySource(path: path + "/./app/../app/").origin
        #expect(plain.isSameSource(as: spelled))
        #expect(!plain.isRepository)
        #expect(!plain.isSameSource(as: DirectorySource(path: path).origin))
    }
}
