public import BosunModel

/// What the agent tells the manifest loader about itself and the host.
public struct LoadOptions: Sendable {
    /// The agent's environment, for interpolation and `environment: [KEY]` entries; `.env` files fill gaps.
    public var environment: [String: String]
    /// How much of the host services may reach (`HostPolicy`); a manifest over it is rejected with located errors.
    public var policy: HostPolicy
    /// The host's CPU count; `cpus` above it is an error.
    public var hostCPUCount: Int
    /// Profiles to enable; services with other profiles are left out.
    public var profiles: [String]

    /// `allowPrivileged` is the policy level `privileged` (what `--allow-privileged` meant before policies).
    public init(environment: [String: String] = [:], allowPrivileged: Bool = false, policy: HostPolicy? = nil, hostCPUCount: Int = 1,
                profiles: [String] = []) {
        self.environment = environment
        self.policy = policy ?? HostPolicy(level: allowPrivileged ? .privileged : .baseline)
        self.hostCPUCount = hostCPUCount
        self.profiles = profiles
    }

    /// Whether `privileged: true` services are allowed.
    public var allowPrivileged: Bool { policy.level == .privileged }
}
