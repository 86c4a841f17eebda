public import BosunModel

/// One probe's result, as `docker inspect` shows it in `.State.Health.Log`.
public struct HealthProbeResult: Sendable, Hashable, Codable {
    /// Milliseconds since the epoch.
    public var start: Int64
    public var end: Int64
    /// 0 healthy; anything else (1 by convention, -1 for a timeout or a probe that could not run) a failure.
    public var exitCode: Int32
    /// The probe's output, at most the last 4 KiB.
    public var output: String

    public init(start: Int64, end: Int64, exitCode: Int32, output: String) {
        self.start = start
        self.end = end
        self.exitCode = exitCode
        self.output = output
    }

    enum CodingKeys: String, CodingKey { case start, end, exitCode = "exit_code", output }
}

/// A container's health as Docker computes it: `starting` until a probe succeeds (healthy) or `retries`
/// probes in a row fail (unhealthy). During `start_period` failures do not count, but a success makes it
/// healthy; probes then come every `start_interval` instead of every `interval`. The last 5 results are kept.
public struct HealthState: Sendable, Hashable {
    /// How many results are kept.
    public static let logLength = 5
    /// How much of each probe's output is kept.
    public static let outputLimit = 4096

    public let check: HealthCheck
    /// When the container started, milliseconds since the epoch.
    public let containerStartedAt: Int64
    public private(set) var status: HealthStatus = .starting
    /// Failures in a row that counted.
    public private(set) var failingStreak = 0
    /// The last results, oldest first.
    public private(set) var log: [HealthProbeResult] = []

    public init(check: HealthCheck, containerStartedAt: Int64) {
        self.check = check
        self.containerStartedAt = containerStartedAt
    }

    /// Whether a probe started at `time` is in the start period of a container that has not been healthy yet.
    public func inStartPeriod(_ time: Int64) -> Bool {
        status == .starting && time - containerStartedAt < check.startPeriod.milliseconds
    }

    /// How long to wait, from `now`, before the next probe.
    public func nextProbeDelay(now: Int64) -> Duration {
        let interval = inStartPeriod(now) ? check.startInterval : check.interval
        return .nanoseconds(interval.nanoseconds)
    }

    /// Takes a probe's result into account.
    public mutating func record(_ result: HealthProbeResult) {
        var kept = result
        let bytes = Array(result.output.utf8)
        if bytes.count > Self.outputLimit { kept.output = String(decoding: bytes.suffix(Self.outputLimit), as: UTF8.self) }
        log.append(kept)
        if log.count > Self.logLength { log.removeFirst(log.count - Self.logLength) }
        if result.exitCode == 0 {
            failingStreak = 0
            status = .healthy
            return
        }
        // A failure during the start period of a container never healthy does not count.
        if inStartPeriod(result.start) { return }
        failingStreak += 1
        if failingStreak >= max(1, check.retries) { status = .unhealthy }
    }
}

extension ComposeDuration {
    /// Whole milliseconds.
    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
