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
}
