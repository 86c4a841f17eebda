/// How bosun replaces one service's container, resolved: the service's `deploy.update_config` over the
/// project's `x-bosun` default over bosun's own defaults, which are made for hosts nobody watches —
/// `start-first` (the new container runs beside the old one until it passes its gate), `failure_action:
/// rollback`, `monitor: 10s` — except where two containers of one service cannot or must not run at once
/// (`stopFirstReason`): those are `stop-first` unless the service itself asks for start-first.
public struct RolloutPolicy: Sendable, Hashable, Codable {
    public var order: UpdateConfig.Order
    /// Why the order is stop-first by default ("a named volume mounted read-write (db-data)"); nil when the
    /// order was written or is start-first.
    public var orderReason: String?
    public var failureAction: UpdateConfig.FailureAction
    public var monitor: ComposeDuration
    public var delay: ComposeDuration

    public init(order: UpdateConfig.Order, orderReason: String? = nil, failureAction: UpdateConfig.FailureAction,
                monitor: ComposeDuration, delay: ComposeDuration) {
        self.order = order
        self.orderReason = orderReason
        self.failureAction = failureAction
        self.monitor = monitor
        self.delay = delay
    }

    /// bosun's defaults (docs/manifest-reference.md has them as a table).
    public static let defaultOrder = UpdateConfig.Order.startFirst
    public static let defaultFailureAction = UpdateConfig.FailureAction.rollback
    public static let defaultMonitor = ComposeDuration.seconds(10)
    /// A failed rollback stops there (Compose's default), whatever the update's action was.
    public static let defaultRollbackFailureAction = UpdateConfig.FailureAction.pause

    /// Why `service` cannot, or should not, run two containers at once; nil when it can.
    public static func stopFirstReason(_ service: Service) -> String? {
        if let name = service.containerName { return "container_name \(name) names one container" }
        if service.networkMode == "host" { return "host networking: both containers would bind the host's ports" }
        if let range = service.ports.first(where: { $0.hostPortEnd != nil }) {
            return "published host port range \(range.hostPort ?? 0)-\(range.hostPortEnd ?? 0)"
        }
        if let fixed = service.networks.first(where: { $0.ipv4Address != nil }) {
            return "a fixed ipv4_address (\(fixed.ipv4Address ?? "") on \(fixed.network)) is one container's"
        }
        if let volume = service.volumes.first(where: { $0.kind == .volume && $0.source != nil && !$0.readOnly }) {
            return "a named volume mounted read-write (\(volume.source ?? ""))"
        }
        return nil
    }

    /// What two containers of `service` cannot both have, whatever the manifest asks; nil when nothing.
    public static func unshareable(_ service: Service) -> String? {
        if let name = service.containerName { return "container_name \(name) names one container" }
        if let fixed = service.networks.first(where: { $0.ipv4Address != nil }) {
            return "a fixed ipv4_address (\(fixed.ipv4Address ?? "") on \(fixed.network)) is one container's"
        }
        return nil
    }

    /// The update policy of `service` in a project whose `x-bosun` default is `projectDefault`.
    public static func update(_ service: Service, projectDefault: UpdateConfig?) -> RolloutPolicy {
        resolve(service, written: service.updateConfig, projectDefault: projectDefault, failureDefault: defaultFailureAction)
    }

    /// The policy of putting `service` back after a failed update (`rollback_config`).
    public static func rollback(_ service: Service, projectDefault: UpdateConfig?) -> RolloutPolicy {
        resolve(service, written: service.rollbackConfig, projectDefault: projectDefault, failureDefault: defaultRollbackFailureAction)
    }

    private static func resolve(_ service: Service, written: UpdateConfig?, projectDefault: UpdateConfig?,
                                failureDefault: UpdateConfig.FailureAction) -> RolloutPolicy {
        let merged = (written ?? UpdateConfig()).over(projectDefault)
        var order = written?.order ?? projectDefault?.order ?? defaultOrder
        var reason: String?
        // A written start-first wins over every exception but what two containers cannot share: a fixed name
        // or a fixed address.
        let why = written?.order == nil ? stopFirstReason(service) : unshareable(service)
        if order == .startFirst, let why {
            order = .stopFirst
            reason = why
        }
        return RolloutPolicy(order: order, orderReason: reason, failureAction: merged.failureAction ?? failureDefault,
                             monitor: merged.monitor ?? defaultMonitor, delay: merged.delay ?? ComposeDuration(nanoseconds: 0))
    }

    /// "start-first, gate 10s, on failure rollback", for plans and status.
    public var summary: String {
        var text = order.rawValue
        if let orderReason { text += " (\(orderReason))" }
        text += ", monitor \(monitor), on failure \(failureAction.rawValue)"
        return text
    }
}
