/// How to tell whether a service's container is healthy.
public struct HealthCheck: Sendable, Hashable, Codable {
    /// The probe: `["CMD", args…]` runs directly, `["CMD-SHELL", script]` through `/bin/sh -c`.
    public var test: [String]
    public var interval = ComposeDuration.seconds(30)
    public var timeout = ComposeDuration.seconds(30)
    public var retries = 3
    public var startPeriod = ComposeDuration.seconds(0)
    public var startInterval = ComposeDuration.seconds(5)

    public init(test: [String]) { self.test = test }

    enum CodingKeys: String, CodingKey {
        case test, interval, timeout, retries, startPeriod = "start_period", startInterval = "start_interval"
    }
}

/// CPU, memory and process limits of a service.
public struct ResourceLimits: Sendable, Hashable, Codable {
    public var memoryLimit: ByteSize?
    public var memoryReservation: ByteSize?
    /// Memory plus swap; nil leaves the runtime default (twice the memory limit, as Docker does).
    public var memorySwap: ByteSize?
    /// CPUs as a decimal count, e.g. 0.5; stored in thousandths to stay exact.
    public var cpuMillis: Int?
    public var cpuReservationMillis: Int?
    public var cpuShares: Int?
    public var cpuset: String?
    public var pidsLimit: Int?
    public init() {}

    enum CodingKeys: String, CodingKey {
        case memoryLimit = "memory", memoryReservation = "memory_reservation", memorySwap = "memswap_limit"
        case cpuMillis = "cpu_millis", cpuReservationMillis = "cpu_reservation_millis", cpuShares = "cpu_shares"
        case cpuset, pidsLimit = "pids"
    }
}
