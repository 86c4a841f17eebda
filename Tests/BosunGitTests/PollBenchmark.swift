@testable import BosunGit
import Foundation
import Testing

/// Not a test: measures a no-change poll (fetch + resolve) against `git fetch` of the same repository.
/// Run with `BOSUN_BENCH=1 swift test --filter PollBenchmark`.
@Suite("benchmark", .serialized)
struct PollBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["BOSUN_BENCH"] == "1"
    static let runs = 20

    static func median(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func measure(_ body: () async throws -> Void) async throws -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return median(samples)
    }

    @Test(.enabled(if: enabled))
    func noChangePoll() async throws {
        try Gate.require(tools: ["git", "lighttpd", "git-http-backend", "/usr/lib/git-core/git-daemon"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp.file("repos"), withIntermediateDirectories: true)
        let repo = try TestRepository(in: temp.file("repos"))
        for index in 0..<50 {
            try repo.write("manifests/service-\(index).yaml", "index: \(index)\n")
            try repo.commit("commit \(index)")
        }
        try repo.pushAll()
        let http = try LighttpdGitServer(projectRoot: temp.file("repos"), directory: temp.path, users: ["bench": "pw"])
        defer { http.stop() }
        let daemon = try GitDaemonServer(basePath: temp.file("repos"), logPath: temp.file("daemon.log"))
        defer { daemon.stop() }

        var lines: [String] = []
        let cases: [(String, String, String)] = [
            ("http", http.url("repo.git"), http.url("repo.git").replacingOccurrences(of: "http://", with: "http://bench:pw@")),
            ("git", daemon.url("repo.git"), daemon.url("repo.git")),
            ("file", "file://\(repo.bare)", "file://\(repo.bare)"),
        ]
        for (name, url, cliURL) in cases {
            let mirror = try GitMirror(
                url: url, access: GitAccess(credentials: .userPassword(username: "bench", password: "pw")),
                directory: temp.file("mirror-\(name)"))
            _ = try await mirror.fetch()
            let ours = try await Self.measure {
                _ = try await mirror.fetch()
                _ = try await mirror.resolve("main")
            }
            let clone = temp.file("clone-\(name).git")
            try Command.run("git", ["clone", "-q", "--mirror", cliURL, clone], environment: Command.gitEnvironment)
            let cli = try await Self.measure {
                try Command.run("git", ["-C", clone, "fetch", "-q", "--prune", "origin"], environment: Command.gitEnvironment)
            }
            lines.append(String(format: "%@: GitMirror fetch+resolve median %.1f ms, git fetch median %.1f ms (%d runs)", name, ours, cli, Self.runs))
        }
        print("no-change poll benchmark\n" + lines.joined(separator: "\n"))
    }
}
