/// A service's membership of one project network.
public struct NetworkAttachment: Sendable, Hashable, Codable {
    /// The network's key in the project (`default`, `backend`, …).
    public var network: String
    public var aliases: [String] = []
    public var ipv4Address: String?
    public init(network: String, aliases: [String] = [], ipv4Address: String? = nil) {
        self.network = network
        self.aliases = aliases
        self.ipv4Address = ipv4Address
    }
    enum CodingKeys: String, CodingKey { case network, aliases, ipv4Address = "ipv4_address" }
}

/// Another service that must be up (or done) before this one starts.
public struct ServiceDependency: Sendable, Hashable, Codable {
    /// What "up" means for the dependency.
    public enum Condition: String, Sendable, Hashable, Codable {
        case started = "service_started"
        case healthy = "service_healthy"
        case completedSuccessfully = "service_completed_successfully"
    }
    public var service: String
    public var condition: Condition = .started
    /// When false, a missing or failed dependency only warns.
    public var required = true
    /// Restart this service when the dependency is updated.
    public var restart = false
    public init(service: String, condition: Condition = .started, required: Bool = true, restart: Bool = false) {
        self.service = service
        self.condition = condition
        self.required = required
        self.restart = restart
    }
}

/// When a container is restarted after it exits.
public enum RestartPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    case no, always, unlessStopped
    /// Restart on a non-zero exit, at most this many times (nil: no limit).
    case onFailure(maxRetries: Int?)

    /// Whether a container that exited 0 stays down (`no`, `on-failure`): such an exit is a job done.
    public var leavesExitZero: Bool {
        switch self {
        case .no, .onFailure: true
        case .always, .unlessStopped: false
        }
    }

    public var description: String {
        switch self {
        case .no: return "no"
        case .always: return "always"
        case .unlessStopped: return "unless-stopped"
        case .onFailure(nil): return "on-failure"
        case .onFailure(let n?): return "on-failure:\(n)"
        }
    }

    public init(parsing text: String) throws(ModelValueError) {
        switch text {
        case "no", "": self = .no
        case "always": self = .always
        case "unless-stopped": self = .unlessStopped
        case "on-failure": self = .onFailure(maxRetries: nil)
        default:
            if text.hasPrefix("on-failure:"), let n = Int(text.dropFirst("on-failure:".count)), n >= 0 {
                self = .onFailure(maxRetries: n)
            } else {
                throw ModelValueError("invalid restart policy \"\(text)\"; use no, always, on-failure[:N] or unless-stopped")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }
}
