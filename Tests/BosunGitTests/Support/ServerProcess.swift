import Foundation

/// A server started by a test, stopped by its pid (and its direct children) with SIGTERM, then SIGKILL.
final class ServerProcess: @unchecked Sendable {
    let name: String
    let process: Process
    let logPath: String

    /// Starts `tool` with its output appended to `logPath`.
    init(_ tool: String, _ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        guard let executable = Command.which(tool) else { throw TestSupportError("\(tool) not found") }
        name = tool
        self.logPath = logPath
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try log.close()
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM to the server and its children, waits up to 5 s, then SIGKILLs what is left.
    func stop() {
        let children = Self.children(of: pid)
        for child in children { kill(child, SIGTERM) }
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        for child in children where kill(child, 0) == 0 { kill(child, SIGKILL) }
    }

    /// Direct children of `pid`, from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}
