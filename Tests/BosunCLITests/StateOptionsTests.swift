@testable import BosunCLI
import Foundation
import Testing

/// A relative `--state-dir` is made absolute: paths under it go into container bundles (the hosts file's bind
/// mount source) that the runtime resolves from another directory.
@Suite struct StateOptionsTests {
    @Test func relativeStateDirIsMadeAbsolute() throws {
        let base = FileManager.default.currentDirectoryPath
        let prefix = base.hasSuffix("/") ? base : base + "/"
        #expect(try StateOptions.parse(["--state-dir", "st"]).resolvedStateDir == prefix + "st")
        #expect(try StateOptions.parse(["--state-dir", "./a/b"]).resolvedStateDir == prefix + "a/b")
        #expect(try StateOptions.parse(["--state-dir", "."]).resolvedStateDir == base)
        #expect(try StateOptions.parse(["--state-dir", "/var/lib/x"]).resolvedStateDir == "/var/lib/x")
    }
}
