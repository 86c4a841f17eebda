public import BosunConverge
public import BosunModel
import Dispatch
import Foundation

/// What running a command in a container gave: its exit code and its output (stdout and stderr).
public struct ExecOutput: Sendable, Hashable {
    public var exitCode: Int32
    public var output: String
    public init(exitCode: Int32, output: String) {
        self.exitCode = exitCode
        self.output = output
    }
}

/// Runs `argv` inside the running container `container`, killing it after `timeout` (then it throws, or
/// returns a non-zero exit code). The exec API of the runtime plugs in here.
public typealias ContainerExec = @Sendable (_ container: String, _ argv: [String], _ timeout: Duration) async throws -> ExecOutput

/// Runs one health probe: `CMD`/`CMD-SHELL` inside the container through `exec`, or bosun's http and tcp
/// probes from the host to the container's address.
public struct HealthProber: Sendable {
    public var exec: ContainerExec
    /// Milliseconds since the epoch.
    public var clock: @Sendable () -> Int64

    public init(exec: @escaping ContainerExec, clock: @escaping @Sendable () -> Int64) {
        self.exec = exec
        self.clock = clock
    }

    /// Probes once. `address` is the container's IPv4 address (needed by http and tcp probes).
    public func probe(_ check: HealthCheck, container: String, address: String?) async -> HealthProbeResult {
        let start = clock()
        let timeout = Duration.nanoseconds(check.timeout.nanoseconds)
        var result: ExecOutput
        if let http = check.http {
            result = await Self.offPool { Self.http(http, address: address, timeout: timeout) }
        } else if let tcp = check.tcp {
            result = await Self.offPool { Self.tcp(tcp, address: address, timeout: timeout) }
        } else if let argv = Self.argv(check.test) {
            do { result = try await exec(container, argv, timeout) } catch {
                result = ExecOutput(exitCode: -1, output: "\(error)")
            }
        } else {
            result = ExecOutput(exitCode: -1, output: "no probe to run (test \(check.test))")
        }
        return HealthProbeResult(start: start, end: clock(), exitCode: result.exitCode, output: result.output)
    }

    /// The command of a `CMD` or `CMD-SHELL` test.
    static func argv(_ test: [String]) -> [String]? {
        switch test.first {
        case "CMD" where test.count > 1: return Array(test.dropFirst())
        case "CMD-SHELL" where test.count == 2: return ["/bin/sh", "-c", test[1]]
        default: return nil
        }
    }

    static func offPool(_ work: @escaping @Sendable () -> ExecOutput) async -> ExecOutput {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    static func deadline(_ timeout: Duration) -> UInt64 {
        let (seconds, attoseconds) = timeout.components
        return DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }

    /// A TCP connection accepted in time is healthy.
    static func tcp(_ probe: TCPProbe, address: String?, timeout: Duration) -> ExecOutput {
        guard let address else { return ExecOutput(exitCode: -1, output: "tcp probe: the container has no address") }
        do {
            let socket = try ProbeSocket(address: address, port: probe.port, deadline: deadline(timeout))
            socket.close()
            return ExecOutput(exitCode: 0, output: "connected to \(address):\(probe.port)")
        } catch {
            return ExecOutput(exitCode: 1, output: "\(error)")
        }
    }

    /// An HTTP/1.1 GET answered with the expected status is healthy.
    static func http(_ probe: HTTPProbe, address: String?, timeout: Duration) -> ExecOutput {
        guard let address else { return ExecOutput(exitCode: -1, output: "http probe: the container has no address") }
        guard let url = ProbeURL(probe.url) else { return ExecOutput(exitCode: -1, output: "http probe: cannot read url \(probe.url)") }
        do {
            let socket = try ProbeSocket(address: address, port: url.port, deadline: deadline(timeout))
            defer { socket.close() }
            let request = "GET \(url.path) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: bosun-health\r\nAccept: */*\r\nConnection: close\r\n\r\n"
            try socket.send(Array(request.utf8), what: "send the http probe to \(address):\(url.port)")
            let response = try socket.receive(limit: HealthState.outputLimit, what: "read the http probe's answer from \(address):\(url.port)") { bytes in
                bytes.count > 4 && bytes.suffix(4) == [13, 10, 13, 10]
            }
            let text = String(decoding: response, as: UTF8.self)
            let statusLine = text.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                return ExecOutput(exitCode: 1, output: "not an HTTP answer: \(statusLine.prefix(200))")
            }
            let ok = status == probe.expectStatus
            return ExecOutput(exitCode: ok ? 0 : 1, output: ok ? statusLine : "\(statusLine) (expected \(probe.expectStatus))")
        } catch {
            return ExecOutput(exitCode: 1, output: "\(error)")
        }
    }
}

/// The parts of an `http://host[:port]/path` URL a probe needs.
struct ProbeURL {
    var hostHeader: String
    var port: Int
    var path: String

    init?(_ text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let remainder = rest.dropFirst(authority.count)
        path = remainder.isEmpty ? "/" : (remainder.hasPrefix("/") ? String(remainder) : "/" + remainder)
        hostHeader = String(authority)
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = 80
        }
        guard !authority.isEmpty, !path.contains(" "), !path.contains("\r"), !path.contains("\n") else { return nil }
    }
}
