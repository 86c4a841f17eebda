/// Everything one host should run: the projects read from a source, each service with its config hash.
public struct DesiredState: Sendable, Hashable, Codable {
    public var projects: [Project]
    public init(projects: [Project]) { self.projects = projects }
}
