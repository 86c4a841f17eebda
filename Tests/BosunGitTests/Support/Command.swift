import Foundation

/// Runs external tools synchronously, failing with their output when they exit non-zero.
enum Command {
    /// The environment for git CLI calls: no system or global config, no prompts.
    static let gitEnvironment: [String: String] = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
    ]

    /// The absolute path of `tool` found in PATH plus the sbin and git-core directories, or nil.
    static func which(_ tool: String) -> String? {
        if tool.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/lib/git-core"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    /// Runs `tool` and returns its output (stdout and stderr together).
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        guard let executable = which(tool) else { throw TestSupportError("\(tool) not found") }
        let scratch = try TemporaryDirectory("bosun-cmd")
        defer { scratch.remove() }
        let pid = try Spawn.start(executable, arguments, environment: environment, outputPath: scratch.file("out"))
        let status = Spawn.wait(pid)
        let output = (try? String(contentsOfFile: scratch.file("out"), encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
        return output
    }
}
