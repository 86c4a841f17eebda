/// How a service's container is replaced when it changes (Compose's `deploy.update_config`), or put back after
/// a failed update (`deploy.rollback_config`), as written: a nil field was not written. The project-level
/// default is `x-bosun: {update_config: …, rollback_config: …}`; `RolloutPolicy` resolves the three layers
/// with bosun's defaults. Not part of a service's config hash: changing how it is updated recreates nothing.
public struct UpdateConfig: Sendable, Hashable, Codable {
    /// Whether the new container starts before the old one stops.
    public enum Order: String, Sendable, Hashable, Codable, CaseIterable {
        case stopFirst = "stop-first"
        case startFirst = "start-first"
    }

    /// What happens when an updated service fails its health gate.
    public enum FailureAction: String, Sendable, Hashable, Codable, CaseIterable {
        /// The whole project returns to its last good state, and the failed one is quarantined.
        case rollback
        /// The convergence stops there: the failed container stays, the rest of the plan does not run.
        case pause
        /// The failure is recorded and the convergence goes on.
        case `continue`
    }

    public var order: Order?
    public var failureAction: FailureAction?
    /// How long an updated container must stay running (and healthy) to pass its gate.
    public var monitor: ComposeDuration?
    /// The wait between updating one service and the next.
    public var delay: ComposeDuration?
    /// Accepted for Compose files written for Swarm; no effect with one container per service.
    public var parallelism: Int?
    /// Accepted for Compose files written for Swarm; no effect with one container per service.
    public var maxFailureRatio: Double?

    public init(order: Order? = nil, failureAction: FailureAction? = nil, monitor: ComposeDuration? = nil, delay: ComposeDuration? = nil,
                parallelism: Int? = nil, maxFailureRatio: Double? = nil) {
        self.order = order
        self.failureAction = failureAction
        self.monitor = monitor
        self.delay = delay
        self.parallelism = parallelism
        self.maxFailureRatio = maxFailureRatio
    }

    enum CodingKeys: String, CodingKey {
        case order, failureAction = "failure_action", monitor, delay, parallelism, maxFailureRatio = "max_failure_ratio"
    }

    /// Each field of `self`, else `fallback`'s.
    public func over(_ fallback: UpdateConfig?) -> UpdateConfig {
        guard let fallback else { return self }
        return UpdateConfig(order: order ?? fallback.order, failureAction: failureAction ?? fallback.failureAction,
                            monitor: monitor ?? fallback.monitor, delay: delay ?? fallback.delay,
                            parallelism: parallelism ?? fallback.parallelism, maxFailureRatio: maxFailureRatio ?? fallback.maxFailureRatio)
    }
}
