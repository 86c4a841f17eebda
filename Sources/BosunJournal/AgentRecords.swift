public import BosunModel

/// One difference between the live state and the desired state, with the field it concerns.
public struct DriftFinding: Sendable, Hashable, Codable {
    /// `project/service`, `network:NAME` or `nftables`.
    public var resource: String
    /// The project it belongs to (nil for host-wide things such as bosun's nftables table).
    public var project: String?
    /// `state`, `resources.memory`, `image`, `network.bridge`, `network.veth`, `nftables.table`, `nftables.chain.NAME`.
    public var field: String
    public var expected: String
    public var actual: String

    public init(resource: String, project: String?, field: String, expected: String, actual: String) {
        self.resource = resource
        self.project = project
        self.field = field
        self.expected = expected
        self.actual = actual
    }

    /// `shop/web resources.memory: 67108864 expected, 50331648 on the host`.
    public var summary: String { "\(resource) \(field): \(expected) expected, \(actual) on the host" }
}

/// The body of a `drift` record: what a drift check found, and what the agent did about it.
public struct DriftNote: Sendable, Hashable, Codable {
    /// `observe` (reported only) or `enforce` (a drift convergence follows, journaled with trigger `drift`).
    public var mode: DriftMode
    public var findings: [DriftFinding]
    /// The seq of the drift convergence's begin record, when one ran.
    public var convergenceSeq: Int64?

    public init(mode: DriftMode, findings: [DriftFinding], convergenceSeq: Int64? = nil) {
        self.mode = mode
        self.findings = findings
        self.convergenceSeq = convergenceSeq
    }

    enum CodingKeys: String, CodingKey { case mode, findings, convergenceSeq = "convergence_seq" }
}

/// The body of a `restart` record: a container exited (or turned unhealthy) and what its restart policy decided.
public struct RestartNote: Sendable, Hashable, Codable {
    /// What the agent did.
    public enum Action: String, Sendable, Hashable, Codable {
        /// Started it again (after `delay_ms`).
        case restarted
        /// Left it stopped (`reason` says why).
        case left
        /// It keeps exiting shortly after each start: restarts go on with the longest backoff.
        case crashLoop = "crash-loop"
        /// Stopped it because its health check failed, so its policy restarts it.
        case stoppedUnhealthy = "stopped-unhealthy"
    }

    public var container: String
    /// `project/service`.
    public var resource: String
    public var policy: String
    public var action: Action
    public var exitCode: Int32?
    /// Restarts so far (what `on-failure:N` counts).
    public var restarts: Int
    public var delayMilliseconds: Int64?
    public var reason: String?

    public init(container: String, resource: String, policy: String, action: Action, exitCode: Int32?, restarts: Int,
                delayMilliseconds: Int64? = nil, reason: String? = nil) {
        self.container = container
        self.resource = resource
        self.policy = policy
        self.action = action
        self.exitCode = exitCode
        self.restarts = restarts
        self.delayMilliseconds = delayMilliseconds
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case container, resource, policy, action, exitCode = "exit_code", restarts, delayMilliseconds = "delay_ms", reason
    }
}
