@testable import BosunGit
import Foundation
import Testing

@Suite("git:// transport")
struct GitDaemonTests {
    @Test(.enabled(if: Gate.canRun(tools: ["git", "git-daemon"])))
    func fetchAndReadOverGitDaemon() async throws {
        try Gate.require(tools: ["git", "git-daemon"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp.file("export"), withIntermediateDirectories: true)
        let repo = try TestRepository(in: temp.file("export"))
        let ids = try Fixture.populate(repo)
        let daemon = try GitDaemonServer(basePath: temp.file("export"), logPath: temp.file("daemon.log"))
        defer { daemon.stop() }

        let mirror = try GitMirror(url: daemon.url("repo.git"), directory: temp.file("mirror"))
        #expect(try await Fixture.fetchAndCheck(mirror, expecting: ids))
        #expect(try await mirror.revision(of: mirror.resolve("v1"), ref: "v1").repositoryURL == daemon.url("repo.git"))

        let absent = try GitMirror(url: daemon.url("absent.git"), directory: temp.file("mirror2"))
        let error = await #expect(throws: GitError.self) { try await absent.fetch() }
        #expect(error?.code == .fetch)
        #expect(error?.object == daemon.url("absent.git"))
    }
}
