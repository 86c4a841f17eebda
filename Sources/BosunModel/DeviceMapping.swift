/// A host device given to a service's containers (Compose `devices:`, `HOST[:CONTAINER][:PERMISSIONS]`): the
/// node at `hostPath` is made at `containerPath`, and the container's device rules allow it `permissions`
/// (letters of `rwm`).
public struct DeviceMapping: Sendable, Hashable, Codable {
    public var hostPath: String
    public var containerPath: String
    public var permissions: String

    public init(hostPath: String, containerPath: String, permissions: String = "rwm") {
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.permissions = permissions
    }

    enum CodingKeys: String, CodingKey {
        case hostPath = "source", containerPath = "target", permissions
    }
}
