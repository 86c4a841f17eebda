import BosunModel
@testable import BosunGit
import Foundation
import Testing

@Suite("file transport, resolve and tree reading")
struct FileTransportTests {
    @Test(.enabled(if: Gate.canRun(tools: ["git"])))
    func fetchResolveAndRead() async throws {
        try Gate.require(tools: ["git"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        let ids = try Fixture.populate(repo)
        let mirrorDir = temp.file("state/git/mirror")
        let mirror = try GitMirror(url: "file://\(repo.bare)", directory: mirrorDir)

        let result = try await mirror.fetch()
        #expect(result.defaultBranch == "refs/heads/main")
        #expect(result.updatedRefs.contains(GitRefUpdate(name: "refs/heads/main", old: nil, new: GitCommitID(ids.second))))
        let mode = try FileManager.default.attributesOfItem(atPath: mirrorDir)[.posixPermissions] as? Int
        #expect(mode == 0o700)

        #expect(try await mirror.resolve("main").hex == ids.second)
        #expect(try await mirror.resolve("refs/heads/main").hex == ids.second)
        #expect(try await mirror.resolve("HEAD").hex == ids.second)
        #expect(try await mirror.resolve("feature").hex == ids.first)
        #expect(try await mirror.resolve("v1").hex == ids.first)  // annotated, peeled
        #expect(try await mirror.resolve("refs/tags/v1").hex == ids.first)
        #expect(try await mirror.resolve("light").hex == ids.first)
        #expect(try await mirror.resolve(ids.first).hex == ids.first)
        #expect(try await mirror.resolve(String(ids.first.prefix(8))).hex == ids.first)
        let missing = await #expect(throws: GitError.self) { try await mirror.resolve("nope") }
        #expect(missing?.code == .notFound)
        #expect(missing?.description == "resolve ref nope in file://\(repo.bare): no branch, tag or commit has this name (hint: check the ref name, and that the mirror was fetched)")

        let commit = try await mirror.resolve("v1")
        let tree = try await mirror.tree(at: commit, path: "manifests")
        #expect(tree.displayName == "file://\(repo.bare)@\(commit.short):manifests")
        #expect(try tree.listDirectory("") == [
            FileTreeEntry(name: "alias.yaml", kind: .symlink), FileTreeEntry(name: "compose.yaml", kind: .file),
            FileTreeEntry(name: "env", kind: .directory), FileTreeEntry(name: "escape", kind: .symlink),
        ])
        #expect(try tree.listDirectory("env") == [FileTreeEntry(name: "app.env", kind: .file)])
        #expect(String(decoding: try tree.readFile("compose.yaml"), as: UTF8.self) == "services:\n  web:\n    image: nginx\n")
        #expect(String(decoding: try tree.readFile("env/app.env"), as: UTF8.self) == "A=1\n")
        #expect(tree.kind(of: "escape") == .symlink)
        #expect(tree.kind(of: "") == .directory)
        #expect(tree.kind(of: "env") == .directory)
        #expect(tree.kind(of: "nothing") == nil)
        #expect(tree.kind(of: "../README.md") == nil)
        #expect(throws: FileTreeError.self) { try tree.readFile("escape") }
        #expect(throws: FileTreeError.self) { try tree.readFile("../README.md") }
        #expect(throws: FileTreeError.self) { try tree.listDirectory("compose.yaml") }
        let whole = try await mirror.tree(at: commit, path: "")
        #expect(whole.kind(of: "README.md") == .file)
        #expect(whole.displayName.hasSuffix(":/"))
        await #expect(throws: GitError.self) { try await mirror.tree(at: commit, path: "absent") }
        await #expect(throws: GitError.self) { try await mirror.tree(at: commit, path: "README.md") }

        let revision = try await mirror.revision(of: commit, ref: "v1")
        #expect(revision.repositoryURL == "file://\(repo.bare)")
        #expect(revision.ref == "v1")
        #expect(revision.commitID == ids.first)
        #expect(revision.subject == "add manifests")
        #expect(revision.author == .init(name: "Ada Author", email: "ada@example.test", time: 1_700_000_060, offsetMinutes: 90))
        #expect(revision.committer == .init(name: "Carl Committer", email: "carl@example.test", time: 1_700_000_060, offsetMinutes: 90))
    }

    @Test(.enabled(if: Gate.canRun(tools: ["git"])))
    func fetchPrunesAndForceUpdatesAndTakesPlainPaths() async throws {
        try Gate.require(tools: ["git"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        let ids = try Fixture.populate(repo)
        let mirror = try GitMirror(url: repo.bare, directory: temp.file("mirror"))
        _ = try await mirror.fetch()
        #expect(try await mirror.resolve("feature").hex == ids.first)

        try repo.git("push", "-q", "origin", ":feature", ":refs/tags/light")
        try repo.git("reset", "-q", "--hard", ids.first)
        try repo.git("push", "-q", "--force", "origin", "main")
        let result = try await mirror.fetch()
        #expect(result.updatedRefs.contains(GitRefUpdate(name: "refs/heads/main", old: GitCommitID(ids.second), new: GitCommitID(ids.first))))
        #expect(try await mirror.resolve("main").hex == ids.first)
        await #expect(throws: GitError.self) { try await mirror.resolve("feature") }
        await #expect(throws: GitError.self) { try await mirror.resolve("light") }

        let unchanged = try await mirror.fetch()
        #expect(unchanged.updatedRefs.isEmpty)
    }

    @Test func readingBeforeFetchSaysSo() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let mirror = try GitMirror(url: "file:///nonexistent/repo.git", directory: temp.file("mirror"))
        let error = await #expect(throws: GitError.self) { try await mirror.resolve("main") }
        #expect(error?.code == .mirror)
        let fetchError = await #expect(throws: GitError.self) { try await mirror.fetch() }
        #expect(fetchError?.code == .fetch)
        #expect(fetchError?.description.hasPrefix("fetch file:///nonexistent/repo.git: ") == true)
    }
}
