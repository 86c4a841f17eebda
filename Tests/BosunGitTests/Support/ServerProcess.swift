import Foundation

/// A server started by a test in its own process group, stopped by that group id (its pid) with
/// SIGTERM, then SIGKILL after 5 seconds, and reaped.
final class ServerProcess: @unchecked Sendable {
    let name: String
    let pid: pid_t
    let logPath: String
    private var exited = false

    /// Starts `tool` with its output appended to `logPath`.
    init(_ tool: String, _ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        guard let executable = Command.which(tool) else { throw TestSupportError("\(tool) not found") }
        name = tool
        self.logPath = logPath
        pid = try Spawn.start(executable, arguments, environment: environment, outputPath: logPath)
    }

    var isRunning: Bool {
        if exited { return false }
        if Spawn.poll(pid) != nil { exited = true }
        return !exited
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        guard isRunning else { return }
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while isRunning, Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(-pid, SIGKILL)
            _ = Spawn.wait(pid)
            exited = true
        }
        kill(-pid, SIGKILL)  // anything left in the group (connection handlers, CGI children)
    }
}
