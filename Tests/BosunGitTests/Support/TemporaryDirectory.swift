import Foundation

/// A directory under the system temp dir, removed by `remove()` (call it in a `defer`).
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ prefix: String = "bosun-git-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        guard let result = mkdtemp(&template) else { throw TestSupportError("mkdtemp failed: errno \(errno)") }
        path = URL(fileURLWithPath: String(cString: result)).standardizedFileURL.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A failure in test setup (a tool failed, a server did not start).
struct TestSupportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
