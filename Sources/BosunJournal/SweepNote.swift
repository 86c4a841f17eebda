/// One container an interrupted convergence left half created, and what the sweep did with it.
public struct SweptContainer: Sendable, Hashable, Codable {
    public var name: String
    public var project: String
    /// `removed` (its directory, overlay mount, network attachment and cgroup are gone), `absent` (nothing was
    /// on the host: only the pending note was dropped), `kept` (its creator still runs, or it is not a half-made
    /// service container: left alone, swept again next time) or `failed`.
    public var action: Action
    /// Why it was kept, or why removing it failed.
    public var reason: String?

    /// What the sweep did with a container.
    public enum Action: String, Sendable, Hashable, Codable {
        case removed, absent, kept, failed
    }

    public init(name: String, project: String, action: Action, reason: String? = nil) {
        self.name = name
        self.project = project
        self.action = action
        self.reason = reason
    }

    /// `removed shop-web-1 (project shop)`, with the reason when there is one.
    public var summary: String { "\(action.rawValue) \(name) (project \(project))" + (reason.map { ": \($0)" } ?? "") }
}

/// The body of a `sweep` record: containers whose create an interrupted convergence (bosun killed) began and
/// never recorded, found at the start of the next convergence.
public struct SweepNote: Sendable, Hashable, Codable {
    public var containers: [SweptContainer]
    public init(containers: [SweptContainer]) { self.containers = containers }
}
