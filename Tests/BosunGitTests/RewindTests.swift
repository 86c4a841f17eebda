@testable import BosunGit
import Foundation
import Testing

@Suite("anti-rollback")
struct RewindTests {
    @Test(.enabled(if: Gate.canRun(tools: ["git"])))
    func forcePushedRewindIsRefusedUnlessAllowed() async throws {
        try Gate.require(tools: ["git"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        try repo.write("manifests/compose.yaml", "v: 1\n")
        let older = try repo.commit("one")
        try repo.write("manifests/compose.yaml", "v: 2\n")
        let applied = try repo.commit("two")
        try repo.pushAll()
        let mirror = try GitMirror(url: "file://\(repo.bare)", directory: temp.file("mirror"))
        _ = try await mirror.fetch()
        let a = try await mirror.resolve("main")
        #expect(a.hex == applied)

        // Fast-forward: passes.
        try repo.write("manifests/compose.yaml", "v: 3\n")
        let next = try repo.commit("three")
        try repo.pushAll()
        _ = try await mirror.fetch()
        let forward = try await mirror.resolve("main")
        #expect(forward.hex == next)
        try await mirror.checkNoRewind(ref: "main", from: a, to: forward, allowRewind: false)
        try await mirror.checkNoRewind(ref: "main", from: forward, to: forward, allowRewind: false)

        // Rewind to an older commit: refused with a message saying how to allow it.
        try repo.git("reset", "-q", "--hard", older)
        try repo.pushAll()
        _ = try await mirror.fetch()
        let rewound = try await mirror.resolve("main")
        #expect(rewound.hex == older)
        let error = await #expect(throws: GitError.self) {
            try await mirror.checkNoRewind(ref: "main", from: forward, to: rewound, allowRewind: false)
        }
        #expect(error?.code == .rewind)
        #expect(error?.description == "check history of file://\(repo.bare): branch main moved from \(forward.short) to \(rewound.short), which does not descend from it (a force-push or rewind); refusing (hint: pass --allow-rewind to accept)")
        try await mirror.checkNoRewind(ref: "main", from: forward, to: rewound, allowRewind: true)

        // Force-push of an unrelated history: refused too.
        try repo.git("checkout", "-q", "--orphan", "other")
        try repo.write("manifests/compose.yaml", "unrelated\n")
        try repo.commit("unrelated root")
        try repo.git("push", "-q", "--force", "origin", "other:main")
        _ = try await mirror.fetch()
        let unrelated = try await mirror.resolve("main")
        await #expect(throws: GitError.self) {
            try await mirror.checkNoRewind(ref: "main", from: forward, to: unrelated, allowRewind: false)
        }
        // The poll helper applies the same rule.
        await #expect(throws: GitError.self) { _ = try await mirror.poll(ref: "main", path: "manifests", lastApplied: forward) }
        let polled = try await mirror.poll(ref: "main", path: "manifests", lastApplied: forward, allowRewind: true)
        #expect(polled.revision.subject == "unrelated root")

        // A last applied commit the mirror never saw: refused, as ancestry cannot be shown.
        let stranger = GitCommitID(String(repeating: "ab", count: 20))!
        let unknown = await #expect(throws: GitError.self) {
            try await mirror.checkNoRewind(ref: "main", from: stranger, to: unrelated, allowRewind: false)
        }
        #expect(unknown?.description.contains("is not in the mirror") == true)
    }
}

@Suite("mirror packs")
struct MirrorPackTests {
    @Test("a mirror fetching often keeps few packs, every commit still readable, and the last applied commit after a force-push",
          .enabled(if: Gate.canRun(tools: ["git"])))
    func packsAreMerged() async throws {
        try Gate.require(tools: ["git"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        let mirror = try GitMirror(url: "file://\(repo.bare)", directory: temp.file("mirror"))
        var commits: [String] = []
        for round in 1...(MirrorRepository.packLimit + 5) {
            try repo.write("manifests/compose.yaml", "v: \(round)\n")
            commits.append(try repo.commit("round \(round)"))
            try repo.pushAll()
            _ = try await mirror.fetch()
        }
        let packs = try FileManager.default.contentsOfDirectory(atPath: temp.file("mirror") + "/objects/pack").filter { $0.hasSuffix(".pack") }
        #expect(packs.count < 10, "\(packs.count) packs")
        for commit in commits { #expect(try await mirror.resolve(commit).hex == commit) }
        // A force-push leaves the applied commit unreachable: merging keeps it for the rewind guard.
        let applied = try #require(GitCommitID(commits.last!))
        try repo.git("reset", "-q", "--hard", commits[0])
        try repo.pushAll()
        for round in 1...(MirrorRepository.packLimit + 2) {
            try repo.write("other.txt", "\(round)\n")
            try repo.commit("after \(round)")
            try repo.pushAll()
            _ = try await mirror.fetch(keeping: [applied])
        }
        let head = try await mirror.resolve("main")
        let error = await #expect(throws: GitError.self) {
            try await mirror.checkNoRewind(ref: "main", from: applied, to: head, allowRewind: false)
        }
        #expect(error?.code == .rewind)
    }
}
