import BosunAgent
import BosunDaemon
import BosunModel
import Crypto
import Foundation
import Glibc
import Testing

/// Counts triggers from the webhook server.
final class TriggerLog: @unchecked Sendable {
    private let lock = NSLock()
    private var deliveries: [String?] = []
    func add(_ delivery: String?) { lock.withLock { deliveries.append(delivery) } }
    var all: [String?] { lock.withLock { deliveries } }
}

@Suite("Agent endpoints on loopback")
struct DaemonTests {
    let secret = Array("webhook-secret".utf8)

    func request(_ method: String, _ path: String, body: String, headers: [String: String]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n" + body).utf8)
    }

    @Test("a signed push triggers a poll; a wrongly signed or replayed one does not")
    func webhook() async throws {
        let triggers = TriggerLog()
        let server = try await WebhookServer.start(host: "127.0.0.1", port: 0, secret: secret, log: { _ in }, trigger: triggers.add)
        defer { Task { await server.stop() } }
        let port = try #require(server.port)
        let body = #"{"ref":"refs/heads/main"}"#
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: secret))
        let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        let signed = ["X-Hub-Signature-256": signature, "X-GitHub-Delivery": "7f1c"]
        let accepted = try SocketClient.tcp(port: port, send: request("POST", "/webhook", body: body, headers: signed))
        #expect(accepted.hasPrefix("HTTP/1.1 202"))
        let replayed = try SocketClient.tcp(port: port, send: request("POST", "/webhook", body: body, headers: signed))
        #expect(replayed.hasPrefix("HTTP/1.1 409"))
        // The delivery id is not signed: the captured body resent with a new one is a replay too.
        let renamed = try SocketClient.tcp(port: port, send: request("POST", "/webhook", body: body, headers: ["X-Hub-Signature-256": signature, "X-GitHub-Delivery": "8a2d"]))
        #expect(renamed.hasPrefix("HTTP/1.1 409") && renamed.contains("the same body was received"), "\(renamed)")
        let forged = try SocketClient.tcp(port: port, send: request("POST", "/webhook", body: body + " ", headers: ["X-Hub-Signature-256": signature]))
        #expect(forged.hasPrefix("HTTP/1.1 401"))
        let unsigned = try SocketClient.tcp(port: port, send: request("POST", "/webhook", body: body, headers: [:]))
        #expect(unsigned.hasPrefix("HTTP/1.1 401"))
        #expect(try SocketClient.tcp(port: port, send: request("GET", "/webhook", body: "", headers: [:])).hasPrefix("HTTP/1.1 405"))
        #expect(try SocketClient.tcp(port: port, send: request("GET", "/healthz", body: "", headers: [:])).hasPrefix("HTTP/1.1 200"))
        #expect(triggers.all == ["7f1c"])
    }

    @Test("the listen address parses host and port, bracketed IPv6 too")
    func listen() {
        #expect(WebhookServer.parseListen("127.0.0.1:9099")! == ("127.0.0.1", 9099))
        #expect(WebhookServer.parseListen("[::1]:80")! == ("::1", 80))
        #expect(WebhookServer.parseListen("nohost") == nil && WebhookServer.parseListen(":80") == nil && WebhookServer.parseListen("h:99999") == nil)
    }

    @Test("the control socket is root-only and answers one JSON line per request")
    func control() async throws {
        let directory = "/var/tmp/bosun-control-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/agent.sock"
        let server = try await ControlServer.start(path: path) { request in
            ControlResponse(ok: request.command == "status", message: "asked \(request.command)", body: .object(["commit": .string("abc")]))
        }
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let answer = try await SocketClient.unixOffPool(path: path, send: Array("{\"command\":\"status\"}\n".utf8))
        let response = try JSONDecoder().decode(ControlResponse.self, from: Data(answer.utf8))
        #expect(response == ControlResponse(ok: true, message: "asked status", body: .object(["commit": .string("abc")])))
        let bad = try await SocketClient.unixOffPool(path: path, send: Array("hello\n".utf8))
        #expect(bad.contains("\"ok\":false"))
        await server.stop()
        #expect(access(path, F_OK) != 0)
    }

    @Test("systemd notifications reach NOTIFY_SOCKET as datagrams; without it nothing is sent")
    func notify() throws {
        let path = "/var/tmp/bosun-notify-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"])
        #expect(notifier.watchdogInterval == 2_000_000_000)
        notifier.ready(status: "converged abc1234\nok")
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(fd, &buffer, buffer.count, 0)
        #expect(String(decoding: buffer[..<max(count, 0)], as: UTF8.self) == "READY=1\nSTATUS=converged abc1234 ok")
        #expect(!SystemdNotifier(environment: [:]).send("READY=1"))
    }

    @Test("the watchdog keeps beating while a long convergence is in flight")
    func watchdogDuringConvergence() async throws {
        let path = "/var/tmp/bosun-watchdog-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let work = RecordingWork()
        work.hold()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000"])
        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: .seconds(3600), jitter: 0), driftInterval: 3_600_000_000_000,
                             notifier: notifier, log: { _ in })
        let running = Task { await loop.run() }
        for _ in 0..<1000 where !work.isHolding { try await Task.sleep(nanoseconds: 5_000_000) }
        // The blocking receives run on a thread of their own: on the cooperative pool (2 threads here) they
        // could starve the watchdog task they wait for while other suites run.
        let messages = await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
            Thread.detachNewThread {
                var messages: [String] = []
                var buffer = [UInt8](repeating: 0, count: 512)
                while messages.filter({ $0 == "WATCHDOG=1" }).count < 3 {
                    let count = recv(fd, &buffer, buffer.count, 0)
                    guard count > 0 else { break }
                    messages.append(String(decoding: buffer[..<count], as: UTF8.self))
                }
                continuation.resume(returning: messages)
            }
        }
        #expect(work.isHolding, "still in the startup convergence")
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count == 3)
        loop.stop()
        await running.value
    }
}
