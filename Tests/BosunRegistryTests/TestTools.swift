import Foundation
import Testing

/// Tools the registry tests drive. Missing locally: the tests are skipped. Missing under CI (`CI` set): they fail.
enum TestTools {
    static let registry = "/usr/bin/docker-registry"
    static let required = [registry, "/usr/bin/skopeo", "/usr/bin/openssl", "/usr/bin/htpasswd", "/usr/bin/python3",
                           "/usr/bin/curl", "/usr/bin/busybox", "/usr/bin/tar", "/usr/bin/gzip"]
    static var missing: [String] { required.filter { !FileManager.default.isExecutableFile(atPath: $0) } }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }
    /// Run the suite when the tools are here, or when CI asks for it (and then fail if they are not).
    static var shouldRun: Bool { missing.isEmpty || isCI }

    static func requireTools() throws {
        if !missing.isEmpty { throw TestFailure("registry tests need \(missing.joined(separator: ", ")) (apt-get install docker-registry skopeo openssl apache2-utils python3 curl busybox-static)") }
    }

    /// Runs a program to completion; throws with its stderr when it fails.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let errors = FileHandle(forWritingAtPath: "/dev/null")
        let errorFile = NSTemporaryDirectory() + "/bosun-test-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorFile) ?? errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw TestFailure("\(path) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
        }
        return text
    }

    /// A TCP port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until `url` answers anything over HTTP(S).
    static func waitForHTTP(_ url: String, insecure: Bool = false) async throws {
        for _ in 0..<100 {
            if (try? run("/usr/bin/curl", ["-s", "-o", "/dev/null"] + (insecure ? ["-k"] : []) + ["--max-time", "1", url])) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(url) did not answer within 10 s")
    }

    static func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "bosun-registry-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child process (registry, proxy) stopped by its pid.
final class ChildProcess: @unchecked Sendable {
    let process = Process()

    init(_ path: String, _ arguments: [String], log: String) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<30 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
