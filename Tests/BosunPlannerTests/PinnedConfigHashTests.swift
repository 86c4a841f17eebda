import BosunManifest
import BosunModel
import Foundation
import Testing

/// Config hashes are pinned: a container is recreated when its hash changes, so a refactor that changes the hash
/// of unchanged services (the normalised `Service`, its encoding, a new default) restarts them on every host at
/// upgrade. `Fixtures/config-hashes/project` touches most of what a hash covers; `hashes.txt` holds each
/// service's hash as today's bosun computes it. When a change is meant to change hashes, the planner must not
/// recreate what did not change (see `Planner.recordedSpec`, `Service.defaultsGeneration`) — then, and only then,
/// update `hashes.txt` with the values this test prints.
@Suite("Pinned config hashes")
struct PinnedConfigHashTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/config-hashes").path

    @Test("every service of the fixture hashes as pinned")
    func pinned() throws {
        let tree = try FixtureTree.read(Self.fixtures + "/project", displayName: "config-hashes")
        let result = ManifestLoader(tree: tree, options: LoadOptions(hostCPUCount: 4)).load(path: "", rootName: "pinned")
        let state = try #require(result.state, "\(result.renderedDiagnostics())")
        let computed = state.projects.flatMap(\.services).map { "\($0.name) \(ConfigHash.of($0))" }.sorted()
        let pinned = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/hashes.txt")), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }.sorted()
        #expect(computed == pinned, "config hashes changed — every such service restarts on upgrade. Now:\n\(computed.joined(separator: "\n"))")
        #expect(computed.count == 4)
    }
}

/// A directory of the test fixtures, read as a file tree.
enum FixtureTree {
    static func read(_ root: String, displayName: String) throws -> InMemoryFileTree {
        var files: [String: [UInt8]] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
            }
        }
        return InMemoryFileTree(displayName: displayName, files: files)
    }
}
