import BosunModel
import Testing

/// One normalisation of a repository's location, used by the rewind guard's anchor and the state directory's
/// owner alike.
@Suite("Source origins")
struct SourceOriginTests {
    static func key(_ location: String) -> String { SourceOrigin(location: location, path: "", isRepository: true).repositoryKey }

    @Test("spellings of one repository are one repository", arguments: [
        ("https://tok@Git.Example.org:443/ops/hosts.git/", "https://git.example.org/ops/hosts"),
        ("https://user:secret@git.example.org/ops/hosts", "https://git.example.org/ops/hosts"),
        ("http://git.example.org:80/ops/hosts.git", "http://git.example.org/ops/hosts"),
        ("git@git.example.org:ops/hosts.git", "ssh://git.example.org/~/ops/hosts"),
        ("ssh://git@git.example.org:22/~/ops/hosts", "ssh://git.example.org/~/ops/hosts"),
        ("git+ssh://git@git.example.org/srv/hosts.git", "ssh://git.example.org/srv/hosts"),
        ("git://127.0.0.1:9418/hosts.git", "git://127.0.0.1/hosts"),
        ("file:///srv/git/hosts.git", "/srv/git/hosts"),
        ("/srv/git/hosts.git/", "/srv/git/hosts"),
        ("  /srv/git/hosts  ", "/srv/git/hosts"),
    ])
    func same(_ spelling: String, _ normal: String) {
        #expect(Self.key(spelling) == normal)
        #expect(Self.key(spelling) == Self.key(normal))
    }

    @Test("different repositories stay different")
    func different() {
        #expect(Self.key("https://git.example.org/ops/hosts") != Self.key("https://git.example.org/ops/hosts-b"))
        #expect(Self.key("https://git.example.org/ops/hosts") != Self.key("http://git.example.org/ops/hosts"))
        #expect(Self.key("https://git.example.org:8443/ops/hosts") != Self.key("https://git.example.org/ops/hosts"))
        #expect(Self.key("ssh://h/srv/x") != Self.key("h:srv/x"))  // absolute vs relative to the home directory
    }

    @Test("a source is its repository and its manifests' path; an old record's unknown path matches any")
    func sameSource() {
        let edge = SourceOrigin(location: "https://git.example.org/ops/hosts.git", path: "./edge/", isRepository: true)
        #expect(edge.path == "edge")
        #expect(edge.isSameSource(as: SourceOrigin(location: "https://tok@git.example.org/ops/hosts", path: "edge", isRepository: true)))
        #expect(!edge.isSameSource(as: SourceOrigin(location: "https://git.example.org/ops/hosts", path: "core", isRepository: true)))
        #expect(edge.isSameSource(as: SourceOrigin(location: "https://git.example.org/ops/hosts", path: nil, isRepository: true)))
        #expect(!edge.isSameSource(as: SourceOrigin(location: "/srv/manifests", path: "", isRepository: false)))
        #expect(SourceOrigin(location: "https://git.example.org/ops/hosts", path: ".", isRepository: true).path == "")
    }
}
