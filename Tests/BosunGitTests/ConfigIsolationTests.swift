@testable import BosunGit
import CLibGit2
import Foundation
import Testing

@Suite("global git configuration is ignored")
struct ConfigIsolationTests {
    /// /etc/gitconfig on these hosts rewrites https://github.com/ with insteadOf; libgit2 must not see it.
    @Test func insteadOfRewritesFromSystemConfigAreNotApplied() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repository = try MirrorRepository.open(directory: temp.file("mirror"), object: "test", create: true)
        var remote: OpaquePointer?
        #expect(git_remote_create_anonymous(&remote, repository.pointer, "https://github.com/apple/swift.git") == 0)
        defer { git_remote_free(remote) }
        #expect(String(cString: git_remote_url(remote)) == "https://github.com/apple/swift.git")

        var config: OpaquePointer?
        #expect(git_config_open_default(&config) == 0)
        defer { git_config_free(config) }
        var snapshot: OpaquePointer?
        #expect(git_config_snapshot(&snapshot, config) == 0)
        defer { git_config_free(snapshot) }
        var value: UnsafePointer<CChar>?
        #expect(git_config_get_string(&value, snapshot, "core.excludesFile") == GIT_ENOTFOUND.rawValue)
    }

    /// The mirror's fetch creates its remote without `url.*.insteadOf` lookups at all — not even from the
    /// mirror's own config — since libgit2 1.5 leaks ~20 KB of PCRE2 match data per lookup that finds nothing
    /// (2.4 MB a minute for an agent polling every second, `make soak`). A rewrite planted in the mirror's
    /// config, which an anonymous remote would follow to a repository that does not exist, changes nothing.
    @Test(.enabled(if: Gate.canRun(tools: ["git"])))
    func theMirrorsFetchLooksUpNoRewrites() async throws {
        try Gate.require(tools: ["git"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        let ids = try Fixture.populate(repo)
        let mirrorDir = temp.file("mirror")
        let mirror = try GitMirror(url: "file://\(repo.bare)", directory: mirrorDir)
        _ = try await mirror.fetch()
        let planted = "[url \"file:///nonexistent/\"]\n\tinsteadOf = file://\n"
        let config = mirrorDir + "/config"
        try (try String(contentsOfFile: config, encoding: .utf8) + planted).write(toFile: config, atomically: true, encoding: .utf8)
        let repository = try MirrorRepository.open(directory: mirrorDir, object: "test", create: false)
        var remote: OpaquePointer?
        #expect(git_remote_create_anonymous(&remote, repository.pointer, "file://\(repo.bare)") == 0)
        #expect(String(cString: git_remote_url(remote)).hasPrefix("file:///nonexistent/"), "an anonymous remote follows the rewrite")
        git_remote_free(remote)
        _ = try await mirror.fetch()
        #expect(try await mirror.resolve("main").hex == ids.second)
    }
}
