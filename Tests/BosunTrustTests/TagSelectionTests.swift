import BosunTrust
import Testing

/// `signatures: tag`: which tag a pattern selects, by SemVer precedence.
@Suite("Tag selection")
struct TagSelectionTests {
    @Test("SemVer precedence: numbers as numbers, a pre-release below its release, build metadata ignored")
    func precedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
                       "1.2.0", "1.10.0", "2.0.0"]
        let versions = try ordered.map { try #require(SemanticVersion($0), "\($0)") }
        for (a, b) in zip(versions, versions.dropFirst()) { #expect(a < b, "\(a) < \(b)") }
        #expect(SemanticVersion("v1.2.3+build.7") == SemanticVersion("1.2.3"))
        for bad in ["1.2", "01.2.3", "1.2.3-", "1.2.x", "latest", ""] { #expect(SemanticVersion(bad) == nil, "\(bad)") }
    }

    @Test("a pattern selects the newest version among the tags it matches; a plain name selects itself")
    func select() {
        let tags = ["v1.2.0", "v1.10.0", "v1.9.9", "v2.0.0-rc.1", "vnext", "release-3.0.0", "v1.10.0-beta"]
        #expect(TagSelection.select("v*", among: tags) == "v2.0.0-rc.1")
        #expect(TagSelection.select("v1.*", among: tags) == "v1.10.0")
        #expect(TagSelection.select("release-*", among: tags) == "release-3.0.0")
        #expect(TagSelection.select("v1.2.0", among: tags) == "v1.2.0")
        #expect(TagSelection.select("v9*", among: tags) == nil)
        #expect(TagSelection.select("missing", among: tags) == nil)
    }
}
