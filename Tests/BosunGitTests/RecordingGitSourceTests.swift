import BosunGit
import BosunModel
import Testing
import BosunTestSupport

@Suite("recording fake")
struct RecordingGitSourceTests {
    @Test func recordsCallsAndAnswersFromConfiguration() async throws {
        let source = RecordingGitSource(repositoryURL: "https://user:pw@example.com/r.git")
        let one = GitCommitID(String(repeating: "1", count: 40))!
        let two = GitCommitID(String(repeating: "2", count: 40))!
        source.setRef("main", to: two)
        source.setAncestors([one], of: two)
        source.setTree(["compose.yaml": Array("services: {}\n".utf8)], at: two, path: "manifests")

        let polled = try await source.poll(ref: "main", path: "manifests", lastApplied: one)
        #expect(polled.revision.commitID == two.hex)
        #expect(try polled.tree.readFile("compose.yaml") == Array("services: {}\n".utf8))
        #expect(polled.tree.displayName == "https://example.com/r.git@2222222:manifests")
        #expect(source.calls == [
            .fetch, .resolve("main"), .checkNoRewind(ref: "main", from: one, to: two, allowRewind: false),
            .revision(two, ref: "main"), .tree(two, path: "manifests"),
        ])
        await #expect(throws: GitError.self) { try await source.checkNoRewind(ref: "main", from: two, to: one, allowRewind: false) }
        source.setFetchError(GitError(code: .fetch, action: "fetch", object: source.repositoryURL, cause: "down"))
        await #expect(throws: GitError.self) { try await source.fetch() }
    }
}
