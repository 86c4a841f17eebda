/// How to tell whether a service's container is healthy.
public struct HealthCheck: Sendable, Hashable, Codable {
    /// The probe: `["CMD", args…]` runs directly, `["CMD-SHELL", script]` through `/bin/sh -c`.
    public var test: [String]
    public var interval = ComposeDuration.seconds(30)
    public var timeout = ComposeDuration.seconds(30)
    public var retries = 3
    public var startPeriod = ComposeDuration.seconds(0)
    public var startInterval = ComposeDuration.seconds(5)
    /// bosun's HTTP probe (`x-bosun: {http: …}`), run from the host to the container's address.
    public var http: HTTPProbe?
    /// bosun's TCP probe (`x-bosun: {tcp: …}`): a connection to the container's address is enough.
    public var tcp: TCPProbe?

    public init(test: [String]) { self.test = test }

    /// Whether the check is `NONE` (disabled).
    public var isDisabled: Bool { test.first == "NONE" && http == nil && tcp == nil }

    enum CodingKeys: String, CodingKey {
        case test, interval, timeout, retries, startPeriod = "start_period", startInterval = "start_interval", http, tcp
    }
}

/// An HTTP/1.1 GET that must answer with an expected status.
public struct HTTPProbe: Sendable, Hashable, Codable {
    /// `http://HOST[:PORT]/PATH`: the port and path are used against the container's address; HOST is sent
    /// as the Host header.
    public var url: String
    public var expectStatus = 200
    public init(url: String, expectStatus: Int = 200) {
        self.url = url
        self.expectStatus = expectStatus
    }
    enum CodingKeys: String, CodingKey { case url, expectStatus = "expect_status" }
}

/// A TCP connection to a port of the container that must be accepted.
public struct TCPProbe: Sendable, Hashable, Codable {
    public var port: Int
    public init(port: Int) { self.port = port }
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
