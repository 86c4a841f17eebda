import Foundation

/// `git daemon` exporting every repository under a base path on 127.0.0.1.
final class GitDaemonServer: @unchecked Sendable {
    let port: Int
    private let server: ServerProcess

    init(basePath: String, logPath: String) throws {
        port = try Ports.free()
        server = try ServerProcess(
            "/usr/lib/git-core/git-daemon",
            ["--export-all", "--reuseaddr", "--base-path=\(basePath)", "--listen=127.0.0.1", "--port=\(port)", basePath],
            logPath: logPath, environment: Command.gitEnvironment)
        do {
            try Ports.waitUntilAccepting(port, process: server)
        } catch {
            server.stop()
            throw error
        }
    }

    func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    func stop() { server.stop() }
}
