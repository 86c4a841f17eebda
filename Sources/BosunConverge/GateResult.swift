public import BosunModel
public import BosunPlanner

/// What one container showed the health gate: the container a convergence created or recreated, running
/// (and healthy, when it has a check) for its whole monitor — or why not.
public struct GateResult: Sendable, Hashable, Codable {
    /// What the gate checked when it decided.
    public enum Check: String, Sendable, Hashable, Codable {
        /// The container did not start (or exited before it was seen running).
        case started
        /// The container's health check did not report healthy in time, or reported unhealthy.
        case healthy
        /// The container stopped running, or turned unhealthy, within its monitor period.
        case monitor
        /// A one-shot container (a dependency of `service_completed_successfully`) exited, with this code.
        case completed
        /// A start-first update: the published ports and network names could not be moved to the new container.
        case takeOver = "take-over"
    }

    /// `project/service`.
    public var resource: String
    public var container: String
    public var passed: Bool
    /// The check that decided: the last one for a pass, the failed one otherwise.
    public var check: Check
    /// From the start of the gate to its verdict.
    public var durationMilliseconds: Int64
    /// Why it failed (lower case), nil when it passed.
    public var reason: String?
    /// The last health probe's output (at most 4 KiB), when there was a probe.
    public var output: String?
    /// A start-first update: when the new container took the traffic over, and how the old one drained.
    public var takeOver: TakeOver?

    public init(resource: String, container: String, passed: Bool, check: Check, durationMilliseconds: Int64, reason: String? = nil,
                output: String? = nil) {
        self.resource = resource
        self.container = container
        self.passed = passed
        self.check = check
        self.durationMilliseconds = durationMilliseconds
        self.reason = reason
        self.output = output
    }

    enum CodingKeys: String, CodingKey {
        case resource, container, passed, check, durationMilliseconds = "duration_ms", reason, output, takeOver = "take_over"
    }

    /// "shop/web (monitor): it exited with code 1 within its 10s monitor".
    public var verdict: String { "\(resource) (\(check.rawValue)): \(reason ?? (passed ? "passed" : "failed"))" }

    /// The gate's time as people read it: "10.2s".
    public var seconds: String {
        let tenths = (durationMilliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// The last probe's output without surrounding blank space; nil when there is none.
    public var lastOutput: String? {
        guard let output else { return nil }
        let trimmed = output.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

/// What the gate sees of a container between its waits: whether it runs, its effective health check (the
/// service's or the image's) and its health.
public struct GateObservation: Sendable, Hashable {
    public var status: ObservedContainer.Status
    /// nil when the container has no health check.
    public var check: HealthCheck?
    /// nil when it has no check; `starting` until a probe decided.
    public var health: HealthStatus?
    /// The last probe's output.
    public var lastOutput: String?

    public init(status: ObservedContainer.Status, check: HealthCheck? = nil, health: HealthStatus? = nil, lastOutput: String? = nil) {
        self.status = status
        self.check = check
        self.health = health
        self.lastOutput = lastOutput
    }
}
