/// What the agent tells the manifest loader about itself and the host.
public struct LoadOptions: Sendable {
    /// The agent's environment, for interpolation and `environment: [KEY]` entries; `.env` files fill gaps.
    public var environment: [String: String]
    /// Allow `privileged: true` services.
    public var allowPrivileged: Bool
    /// The host's CPU count; `cpus` above it is an error.
    public var hostCPUCount: Int
    /// Profiles to enable; services with other profiles are left out.
    public var profiles: [String]

    public init(environment: [String: String] = [:], allowPrivileged: Bool = false, hostCPUCount: Int = 1, profiles: [String] = []) {
        self.environment = environment
        self.allowPrivileged = allowPrivileged
        self.hostCPUCount = hostCPUCount
        self.profiles = profiles
    }
}
