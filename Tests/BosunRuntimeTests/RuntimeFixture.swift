import BosunOCI
import Foundation
import Testing
import BosunTestSupport

/// A bundle with a busybox rootfs in a temporary directory, a private `--root` for state, and the built
/// `bosun` binary to drive them.
struct RuntimeFixture {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let directory: String
    var bundle: String { directory + "/bundle" }
    var rootfs: String { bundle + "/rootfs" }
    var stateRoot: String { directory + "/state" }

    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bosun").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/.build/debug/bosun"
    }()

    init() throws {
        try RootGate.require()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-rt-\(UUID().uuidString.prefix(8))").path
        let fm = FileManager.default
        for sub in ["bin", "etc", "proc", "sys", "dev", "tmp", "mnt", "root", "home/alice"] {
            try fm.createDirectory(atPath: directory + "/bundle/rootfs/" + sub, withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for applet in ["sh", "echo", "cat", "hostname", "id", "grep", "ls", "wc", "touch", "sleep", "test", "head", "stat", "mount"] {
            try fm.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:alice:/home/alice:/bin/sh\n"
            .write(toFile: rootfs + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nalice:x:1000:\nstaff:x:50:alice\n".write(toFile: rootfs + "/etc/group", atomically: true, encoding: .utf8)
    }

    /// Writes config.json: Docker's defaults running `sh -c script`, adjusted by `configure`.
    func writeSpec(_ script: String, _ configure: (inout RuntimeSpec) -> Void = { _ in }) throws {
        var spec = DefaultSpec.make(args: ["sh", "-c", script], hostname: "testbox")
        configure(&spec)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))
    }

    /// `bosun runtime --root <state> <arguments>`.
    func bosun(_ arguments: [String]) throws -> Outcome {
        try RuntimeFixture.run(RuntimeFixture.binary, ["runtime", "--root", stateRoot] + arguments)
    }

    /// Runs `script` in a fresh container and returns what it printed.
    func run(_ script: String, id: String = "t-\(UUID().uuidString.prefix(8))", _ configure: (inout RuntimeSpec) -> Void = { _ in }) throws -> Outcome {
        try writeSpec(script, configure)
        return try bosun(["run", "--bundle", bundle, id])
    }

    static func run(_ path: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Checks that nothing is left behind (no mounts under the directory, no state) and removes it.
    func tearDown(sourceLocation: SourceLocation = #_sourceLocation) {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(directory), "mounts left under \(directory)", sourceLocation: sourceLocation)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: stateRoot)) ?? []
        #expect(left.isEmpty, "state left behind: \(left)", sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
