import BosunSource
import Foundation
import Testing

/// The state directory check as a function (the CLI's tests run it through `bosun`).
@Suite("State directory problems")
struct StateDirectoryProblemTests {
    @Test("a private directory is safe; one others can write is refused with the chmod that fixes it")
    func modes() throws {
        let path = NSTemporaryDirectory() + "bosun-state-problem-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(StateDirectorySafety.problem(for: path) == nil)
        #expect(StateDirectorySafety.problem(for: path + "/not-yet") == nil)
        chmod(path, 0o777)
        let problem = try #require(StateDirectorySafety.problem(for: path))
        #expect(problem.contains("chmod 0700 \(path)"))
        #expect(StateDirectorySafety.problem(for: path + "/inside")?.contains(path) == true)
    }
}
