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

    /// Stops the server without orphaning its children: PID 1 on these machines does not reap orphans, so a
    /// child whose parent dies first stays a zombie until reboot. Waits for the group's other members
    /// (connection handlers, CGI children) to finish and be reaped by the server, then stops the server.
    func stop() {
        guard isRunning else { return }
        let settle = Date().addingTimeInterval(3)
        while !otherGroupMembers().isEmpty, Date() < settle { usleep(10_000) }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while isRunning, Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(pid, SIGKILL)
            _ = Spawn.wait(pid)
            exited = true
        }
        kill(-pid, SIGKILL)  // anything left in the group (connection handlers, CGI children)
    }

    /// Live processes of the server's process group other than the server itself.
    func otherGroupMembers() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let other = pid_t(entry), other != pid,
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, fields[0] != "Z", pid_t(fields[2]) == pid else { return nil }
            return other
        }
    }
}
