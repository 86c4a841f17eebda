@testable import BosunGit
import Foundation

/// The standard repository content tests fetch, and checks shared by the transport tests.
enum Fixture {
    /// Commits a `manifests` directory with a file, a subdirectory and two symlinks (one pointing out
    /// of the tree), tags it `v1` (annotated) and `light`, adds branch `feature`, and pushes everything.
    @discardableResult
    static func populate(_ repo: TestRepository) throws -> (first: String, second: String) {
        try repo.write("README.md", "readme\n")
        try repo.write("manifests/compose.yaml", "services:\n  web:\n    image: nginx\n")
        try repo.write("manifests/env/app.env", "A=1\n")
        try repo.symlink("manifests/escape", to: "../README.md")
        try repo.symlink("manifests/alias.yaml", to: "compose.yaml")
        let first = try repo.commit("add manifests\n\nwith a body line")
        try repo.git("tag", "-a", "v1", "-m", "release v1")
        try repo.git("tag", "light")
        try repo.write("manifests/compose.yaml", "services:\n  web:\n    image: nginx:2\n")
        let second = try repo.commit("bump web")
        try repo.git("branch", "feature", first)
        try repo.pushAll()
        return (first, second)
    }

    /// Every file of a mirror outside `objects/`, concatenated, to look for leaked secrets.
    static func mirrorMetadata(_ directory: String) -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasPrefix("objects") { continue }
            if let data = FileManager.default.contents(atPath: "\(directory)/\(relative)") {
                text += relative + "\n" + String(decoding: data, as: UTF8.self) + "\n"
            }
        }
        return text
    }

    /// Fetches with `mirror` and checks the fixture reads back as committed.
    static func fetchAndCheck(_ mirror: GitMirror, expecting ids: (first: String, second: String)) async throws -> Bool {
        _ = try await mirror.fetch()
        let head = try await mirror.resolve("main")
        guard head.hex == ids.second else { return false }
        let tree = try await mirror.tree(at: head, path: "manifests")
        let content = String(decoding: try tree.readFile("compose.yaml"), as: UTF8.self)
        return content.contains("nginx:2")
    }
}
