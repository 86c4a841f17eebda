import BosunConverge
import BosunModel
import Testing

@Suite("Health state")
struct HealthStateTests {
    static func check(retries: Int = 3, startPeriod: Int64 = 0) -> HealthCheck {
        var check = HealthCheck(test: ["CMD", "true"])
        check.interval = .seconds(30)
        check.retries = retries
        check.startPeriod = .seconds(startPeriod)
        check.startInterval = .seconds(5)
        return check
    }

    static func result(at seconds: Int64, _ code: Int32, _ output: String = "") -> HealthProbeResult {
        HealthProbeResult(start: seconds * 1000, end: seconds * 1000 + 10, exitCode: code, output: output)
    }

    @Test("starting until a success; retries failures in a row make it unhealthy; a success resets the streak")
    func retries() {
        var state = HealthState(check: Self.check(), containerStartedAt: 0)
        #expect(state.status == .starting)
        state.record(Self.result(at: 30, 1))
        state.record(Self.result(at: 60, 1))
        #expect(state.status == .starting && state.failingStreak == 2)
        state.record(Self.result(at: 90, 0))
        #expect(state.status == .healthy && state.failingStreak == 0)
        state.record(Self.result(at: 120, 1))
        state.record(Self.result(at: 150, 1))
        #expect(state.status == .healthy)
        state.record(Self.result(at: 180, 1))
        #expect(state.status == .unhealthy && state.failingStreak == 3)
        state.record(Self.result(at: 210, 0))
        #expect(state.status == .healthy)
    }

    @Test("during start_period failures do not count and probes come every start_interval; a success ends it")
    func startPeriod() {
        var state = HealthState(check: Self.check(retries: 1, startPeriod: 60), containerStartedAt: 0)
        #expect(state.nextProbeDelay(now: 0) == .seconds(5))
        for second in stride(from: 5, to: 60, by: 5) { state.record(Self.result(at: Int64(second), 1)) }
        #expect(state.status == .starting && state.failingStreak == 0)
        #expect(state.nextProbeDelay(now: 61_000) == .seconds(30))
        state.record(Self.result(at: 61, 1))
        #expect(state.status == .unhealthy)

        var early = HealthState(check: Self.check(retries: 1, startPeriod: 60), containerStartedAt: 0)
        early.record(Self.result(at: 5, 0))
        #expect(early.status == .healthy && early.nextProbeDelay(now: 6_000) == .seconds(30))
        early.record(Self.result(at: 10, 1))
        #expect(early.status == .unhealthy)
    }

    @Test("the last 5 results are kept, each output cut to its last 4 KiB")
    func log() {
        var state = HealthState(check: Self.check(), containerStartedAt: 0)
        for index in 1...7 { state.record(Self.result(at: Int64(index), 0, "probe \(index)")) }
        #expect(state.log.map(\.output) == ["probe 3", "probe 4", "probe 5", "probe 6", "probe 7"])
        state.record(Self.result(at: 8, 0, String(repeating: "a", count: 5000) + "END"))
        #expect(state.log.last?.output.utf8.count == 4096 && state.log.last?.output.hasSuffix("END") == true)
    }

    @Test("NONE disables the check; bosun's probes count as a check")
    func disabled() {
        #expect(HealthCheck(test: ["NONE"]).isDisabled)
        var tcp = HealthCheck(test: [])
        tcp.tcp = TCPProbe(port: 80)
        #expect(!tcp.isDisabled)
    }
}
