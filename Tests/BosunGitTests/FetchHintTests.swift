@testable import BosunGit
import Testing

/// A fetch that fails because the state directory's filesystem is full says so in its hint, instead of
/// sending the operator to check the url and the server (found by `make chaos`, full state filesystem).
@Suite("fetch hint")
struct FetchHintTests {
    @Test("a full disk gets a hint about space; other failures about the url and the server")
    func hints() {
        #expect(MirrorRepository.fetchHint(for: "failed to write out file: No space left on device").contains("free space"))
        #expect(MirrorRepository.fetchHint(for: "failed to connect to 127.0.0.1: Connection refused").contains("url is right"))
    }
}
