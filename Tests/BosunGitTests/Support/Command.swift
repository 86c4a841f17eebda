import Foundation

/// Runs external tools synchronously, failing with their stderr when they exit non-zero.
enum Command {
    /// The environment for git CLI calls: no system or global config, fixed identity.
    static let gitEnvironment: [String: String] = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
    ]

    /// The absolute path of `tool` found in PATH plus the sbin directories, or nil.
    static func which(_ tool: String) -> String? {
        if tool.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/lib/git-core"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> String {
        guard let executable = which(tool) else { throw TestSupportError("\(tool) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let scratch = try TemporaryDirectory("bosun-cmd")
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.file("err"), contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("err")))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = (try? String(contentsOfFile: scratch.file("out"), encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOfFile: scratch.file("err"), encoding: .utf8)) ?? ""
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout
    }
}
