import BosunConverge
import BosunHost
import BosunModel
import Foundation
import Synchronization
import Testing

/// A one-connection-at-a-time TCP server on 127.0.0.1 that answers each connection with `response`.
final class LoopbackServer: Sendable {
    let fd: Int32
    let port: Int

    init(response: String?) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 8) == 0 else { throw HostFixtureError(message: "cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        fd = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else {
                    // Closed here, not in stop(): a number closed there could be reused while this still accepts on it.
                    close(listener)
                    return
                }
                var buffer = [UInt8](repeating: 0, count: 2048)
                _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if let response { _ = Array(response.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
                close(client)
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// A port nothing listens on (bound, never listened on, closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw HostFixtureError(message: "cannot bind on 127.0.0.1") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

@Suite("Health probes")
struct HealthProbeTests {
    static let prober = HealthProber(exec: { _, argv, _ in
        ExecOutput(exitCode: argv == ["/bin/sh", "-c", "exit 0"] ? 0 : 1, output: argv.joined(separator: " "))
    }, clock: { Int64(Date().timeIntervalSince1970 * 1000) })

    static func check(http: HTTPProbe? = nil, tcp: TCPProbe? = nil, test: [String] = []) -> HealthCheck {
        var check = HealthCheck(test: test)
        check.http = http
        check.tcp = tcp
        check.timeout = .seconds(5)
        return check
    }

    @Test("tcp: an accepted connection is healthy, a refused one is not")
    func tcp() async throws {
        let server = try LoopbackServer(response: nil)
        defer { server.stop() }
        let up = await Self.prober.probe(Self.check(tcp: TCPProbe(port: server.port)), container: "c", address: "127.0.0.1")
        #expect(up.exitCode == 0 && up.output == "connected to 127.0.0.1:\(server.port)")
        let down = await Self.prober.probe(Self.check(tcp: TCPProbe(port: try LoopbackServer.closedPort())), container: "c", address: "127.0.0.1")
        #expect(down.exitCode == 1 && down.output.contains("connection refused"))
        let noAddress = await Self.prober.probe(Self.check(tcp: TCPProbe(port: 1)), container: "c", address: nil)
        #expect(noAddress.exitCode == -1)
    }

    @Test("http: a GET answered with the expected status is healthy; another status or no HTTP is not")
    func http() async throws {
        let ok = try LoopbackServer(response: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        defer { ok.stop() }
        let healthy = await Self.prober.probe(Self.check(http: HTTPProbe(url: "http://localhost:\(ok.port)/healthz", expectStatus: 204)),
                                              container: "c", address: "127.0.0.1")
        #expect(healthy.exitCode == 0 && healthy.output == "HTTP/1.1 204 No Content")
        let failing = try LoopbackServer(response: "HTTP/1.1 500 Internal Server Error\r\n\r\n")
        defer { failing.stop() }
        let unhealthy = await Self.prober.probe(Self.check(http: HTTPProbe(url: "http://app:\(failing.port)/")), container: "c", address: "127.0.0.1")
        #expect(unhealthy.exitCode == 1)
        #expect(unhealthy.output == "HTTP/1.1 500 Internal Server Error (expected 200)")
        let garbage = try LoopbackServer(response: "SSH-2.0-OpenSSH\r\n\r\n")
        defer { garbage.stop() }
        let notHTTP = await Self.prober.probe(Self.check(http: HTTPProbe(url: "http://x:\(garbage.port)/")), container: "c", address: "127.0.0.1")
        #expect(notHTTP.exitCode == 1 && notHTTP.output.hasPrefix("not an HTTP answer"))
    }

    @Test("a server that never answers times out as a failure")
    func timeout() async throws {
        let silent = try LoopbackServer(response: nil)
        defer { silent.stop() }
        var check = Self.check(http: HTTPProbe(url: "http://x:\(silent.port)/"))
        check.timeout = ComposeDuration(nanoseconds: 200_000_000)
        let result = await Self.prober.probe(check, container: "c", address: "127.0.0.1")
        #expect(result.exitCode == 1)
    }

    @Test("CMD and CMD-SHELL run through the exec closure")
    func exec() async {
        let shell = await Self.prober.probe(Self.check(test: ["CMD-SHELL", "exit 0"]), container: "c", address: nil)
        #expect(shell.exitCode == 0 && shell.output == "/bin/sh -c exit 0")
        let command = await Self.prober.probe(Self.check(test: ["CMD", "pg_isready", "-q"]), container: "c", address: nil)
        #expect(command.exitCode == 1 && command.output == "pg_isready -q")
    }
}

@Suite("Health monitor")
struct HealthMonitorTests {
    static func monitor(exitCodes: [Int32]) -> HealthMonitor {
        let remaining = Mutex(exitCodes)
        return HealthMonitor(prober: HealthProber(exec: { _, _, _ in
            let code = remaining.withLock { $0.isEmpty ? 0 : $0.removeFirst() }
            return ExecOutput(exitCode: code, output: "exit \(code)")
        }, clock: { Int64(Date().timeIntervalSince1970 * 1000) }))
    }

    static func check(retries: Int) -> HealthCheck {
        var check = HealthCheck(test: ["CMD", "probe"])
        check.interval = ComposeDuration(nanoseconds: 5_000_000)
        check.retries = retries
        return check
    }

    @Test("waitHealthy returns healthy once a probe succeeds, after failures that did not reach retries")
    func healthy() async throws {
        let monitor = Self.monitor(exitCodes: [1, 1, 0])
        await monitor.watch(container: "web", check: Self.check(retries: 3), startedAt: 0, address: nil)
        #expect(try await monitor.waitHealthy(container: "web", timeout: .seconds(30)) == .healthy)
        #expect(await monitor.state(of: "web")?.log.map(\.exitCode).prefix(3) == [1, 1, 0])
        await monitor.unwatch(container: "web")
        #expect(await monitor.state(of: "web") == nil)
    }

    /// The soak found a recreate failing to remove the container's directory while a health probe's exec was
    /// still writing into it: unwatching cancels the loop, and `quiesce` waits for the probe in flight.
    @Test("quiesce returns only after the probe in flight has ended")
    func quiesceWaitsForTheProbeInFlight() async throws {
        let events = Mutex<[String]>([])
        let monitor = HealthMonitor(prober: HealthProber(exec: { _, _, _ in
            events.withLock { $0.append("probe started") }
            usleep(300_000)  // as the runtime's exec: not cancellable
            events.withLock { $0.append("probe ended") }
            return ExecOutput(exitCode: 0, output: "")
        }, clock: { Int64(Date().timeIntervalSince1970 * 1000) }))
        await monitor.watch(container: "web", check: Self.check(retries: 3), startedAt: 0, address: nil)
        while events.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
        await monitor.unwatch(container: "web")
        await monitor.quiesce(container: "web")
        events.withLock { $0.append("removed") }
        #expect(events.withLock { $0 } == ["probe started", "probe ended", "removed"])
        await monitor.quiesce(container: "never-watched")
    }

    @Test("retries failures in a row make it unhealthy; an unwatched container cannot be waited for")
    func unhealthy() async throws {
        let monitor = Self.monitor(exitCodes: [1, 1, 1, 1])
        await monitor.watch(container: "db", check: Self.check(retries: 2), startedAt: 0, address: nil)
        #expect(try await monitor.waitHealthy(container: "db", timeout: .seconds(30)) == .unhealthy)
        await monitor.unwatch(container: "db")
        await #expect(throws: HostError.self) { try await monitor.waitHealthy(container: "db", timeout: .seconds(1)) }
    }

    @Test("a wait that runs out reports starting")
    func waitTimesOut() async throws {
        let monitor = Self.monitor(exitCodes: [])
        var check = Self.check(retries: 1)
        check.interval = .seconds(3600)
        await monitor.watch(container: "slow", check: check, startedAt: 0, address: nil)
        #expect(try await monitor.waitHealthy(container: "slow", timeout: .milliseconds(20)) == .starting)
        await monitor.unwatch(container: "slow")
    }
}

/// bosun-default: Docker's docker-default rules; none on a host without AppArmor.
@Suite("default AppArmor profile on this host")
struct AppArmorDefaultTests {
    @Test func theProfileHasDockersRulesAndAHostWithoutAppArmorGetsNone() throws {
        for rule in ["profile bosun-default flags=(attach_disconnected,mediate_deleted)", "deny mount,", "deny @{PROC}/sysrq-trigger rwklx,",
                     "deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,", "deny /sys/kernel/security/** rwklx,", "signal (receive) peer=unconfined,"] {
            #expect(AppArmorDefault.text.contains(rule), "\(rule)")
        }
        if AppArmorDefault.hostHasAppArmor {
            #expect(try AppArmorDefault.profileForContainers() == "bosun-default")
        } else {
            #expect(try AppArmorDefault.profileForContainers() == nil)
        }
    }
}
