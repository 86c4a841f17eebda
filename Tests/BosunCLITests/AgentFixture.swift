import BosunAgent
import BosunDaemon
import BosunModel
import Crypto
import Foundation
import Glibc
import Testing

/// A real `bosun agent` process for end-to-end tests: a git repository with one project, the busybox image
/// imported, a config in a scratch directory under /var/tmp, the agent's log in a file. `close()` stops the
/// agent, runs `bosun down --volumes` and removes the directory.
final class AgentFixture: @unchecked Sendable {
    let dir: String
    let state: String
    let repo: String
    let project: String
    var socket: String
    let secret = "s3cret-\(UUID().uuidString.prefix(8))"
    var agent: Process?
    var logFile: String { dir + "/agent.log" }

    init() throws {
        dir = "/var/tmp/bosun-agent-\(UUID().uuidString.prefix(8))"
        state = dir + "/state"
        repo = dir + "/repo"
        socket = dir + "/agent.sock"
        project = "ag" + UUID().uuidString.prefix(6).lowercased()
        try FileManager.default.createDirectory(atPath: repo + "/\(project)", withIntermediateDirectories: true)
        try ImageCommandTests.layout(in: dir)
        let imported = try BosunBinary.run(["image", "import", dir + "/oci", "--state-dir", state])
        try #require(imported.status == 0, "\(imported.stderr)")
        try git(["init", "-q", "-b", "main"])
        try (secret + "\n").write(toFile: dir + "/webhook-secret", atomically: true, encoding: .utf8)
    }

    func close() {
        if let agent, agent.isRunning {
            agent.terminate()
            agent.waitUntilExit()
        }
        _ = try? BosunBinary.run(["down", "--volumes", "--state-dir", state])
        try? FileManager.default.removeItem(atPath: dir)
    }

    func git(_ arguments: [String]) throws { try TestGit.run(arguments, in: repo) }

    /// Writes the project's compose file and commits it (as t@example.org, signed with the SSH key whose public
    /// half is `signingKey` when given); returns the commit id.
    @discardableResult
    func commit(_ compose: String, message: String, signingKey: String? = nil) throws -> String {
        try compose.write(toFile: repo + "/\(project)/compose.yaml", atomically: true, encoding: .utf8)
        try git(["add", "-A"])
        try git((signingKey.map { ["-c", "gpg.format=ssh", "-c", "user.signingkey=\($0)"] } ?? []) + ["commit", "-q", "-m", message]
                + (signingKey == nil ? [] : ["-S"]))
        return try BosunBinary.shell("git -C \(repo) rev-parse HEAD", in: dir).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the agent with a config polling every `interval`, with a webhook on 127.0.0.1 when asked.
    func start(interval: String = "1s", driftInterval: String = "1s", drift: String = "enforce", webhook: Bool = false, extra: String = "") throws {
        var config = """
            repo: \(repo)
            interval: \(interval)
            drift_interval: \(driftInterval)
            drift: \(drift)
            jitter: 0
            state_dir: \(state)
            control_socket: \(socket)

            """
        if webhook { config += "webhook:\n  listen: 127.0.0.1:0\n  secret_file: \(dir)/webhook-secret\n" }
        config += extra
        try config.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        if !FileManager.default.fileExists(atPath: logFile) { _ = FileManager.default.createFile(atPath: logFile, contents: nil) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try output.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BosunBinary.path)
        process.arguments = ["agent", "--config", dir + "/config.yaml"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        agent = process
    }

    /// Sends `signal` to the agent and waits for it to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let agent else { return -1 }
        kill(agent.processIdentifier, signal)
        agent.waitUntilExit()
        self.agent = nil
        return agent.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// Waits (up to `timeout` seconds) until `condition` holds; fails the test with `what` when it never does.
    func eventually(_ what: String, timeout: Double = 90, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        Issue.record("timed out waiting for \(what)\n--- agent log ---\n\(log)")
        throw CancellationError()
    }

    /// Waits for a log line holding every one of `parts`.
    func waitForLog(_ parts: String...) throws {
        try eventually(parts.joined(separator: " ")) { log.split(separator: "\n").contains { line in parts.allSatisfy(line.contains) } }
    }

    func logLines(_ parts: String...) -> [Substring] {
        log.split(separator: "\n").filter { line in parts.allSatisfy(line.contains) }
    }

    /// `bosun ps -a --format json`, by container name.
    func containers() throws -> [String: [String: Any]] {
        let listed = try BosunBinary.run(["ps", "-a", "--format", "json", "--state-dir", state])
        var result: [String: [String: Any]] = [:]
        for line in listed.stdout.split(separator: "\n") {
            if let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let name = object["name"] as? String {
                result[name] = object
            }
        }
        return result
    }

    func container(_ service: String) -> String { "\(project)-\(service)-1" }
    func pid(_ service: String) throws -> Int? { try containers()[container(service)]?["pid"] as? Int }
    func running(_ service: String) throws -> Bool { try containers()[container(service)]?["state"] as? String == "running" }

    /// The control socket's `status` body.
    func status() throws -> [String: Any] {
        let response = try ControlClient.send(ControlRequest(command: "status"), to: socket, timeout: 30)
        let data = Data((response.body ?? .null).canonicalBytes)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The webhook port the agent logged.
    func webhookPort() throws -> Int {
        try waitForLog("event=listen", "webhook=127.0.0.1:")
        let line = logLines("event=listen", "webhook=127.0.0.1:").last!
        let field = line.split(separator: " ").first { $0.hasPrefix("webhook=") }!
        return Int(field.split(separator: ":").last!)!
    }

    /// POSTs a GitHub-style push delivery, signed with `secret`; returns the HTTP status.
    func sendWebhook(port: Int, secret: String, delivery: String) throws -> Int {
        // A forge's body differs for every event (commits, timestamps): a body seen before is refused as a replay.
        let body = Array(#"{"ref":"refs/heads/main","delivery":"\#(delivery)"}"#.utf8)
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        let request = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\n"
            + "X-GitHub-Delivery: \(delivery)\r\nX-Hub-Signature-256: sha256=\(signature)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let reply = try HTTPClient.exchange(port: port, bytes: Array(request.utf8) + body)
        let statusLine = reply.split(separator: "\r\n").first ?? ""
        return Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The cgroup v1 memory limit file of a container (this host's hybrid layout).
    func memoryLimitFile(_ service: String) -> String { "/sys/fs/cgroup/memory/bosun/\(container(service))/memory.limit_in_bytes" }
    func memoryLimit(_ service: String) -> String {
        ((try? String(contentsOfFile: memoryLimitFile(service), encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The journal's records of `kind`, as JSON objects.
    func journalRecords(kind: String) -> [[String: Any]] {
        let directory = state + "/journal"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        return names.flatMap { name -> [[String: Any]] in
            let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["kind"] as? String == kind else { return nil }
                return object
            }
        }
    }
}

/// A blocking HTTP/1.1 exchange with 127.0.0.1: sends the bytes, reads until the server closes.
enum HTTPClient {
    static func exchange(port: Int, bytes: [UInt8]) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
