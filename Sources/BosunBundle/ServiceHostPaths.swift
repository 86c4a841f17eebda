public import BosunOCI

/// What the host provides a service's container, already resolved by the caller: the per-container /etc
/// files, the service's mounts (named volumes, binds, tmpfs), secret files, the network namespace, the
/// seccomp policy and bosun's init binary.
public struct ServiceHostPaths: Sendable, Hashable {
    public var files: ContainerFiles
    /// The service's volume, bind and tmpfs mounts, resolved to host paths, in order.
    public var mounts: [RuntimeSpec.Mount] = []
    /// Secret key → host file to bind read-only.
    public var secrets: [String: String] = [:]
    public var network: RunRequest.NetworkMode = .none
    /// The seccomp policy (Docker's default unless the service says `unconfined`).
    public var seccomp: RuntimeSpec.Seccomp?
    /// The AppArmor profile a service runs under unless it names one (`bosun-default` where the host has AppArmor).
    public var defaultAppArmorProfile: String?
    /// bosun's static init (`bosun-monitor`), bound at `/.bosun/init` for `init: true`.
    public var initBinary: String?
    /// Annotations recorded in the container's config (project, service, config hash).
    public var annotations: [String: String] = [:]
    /// The service's host devices (Compose `devices:`), resolved on the host: the node to make in the
    /// container and the access its device rules allow.
    public var devices: [ServiceDevice] = []

    public init(files: ContainerFiles) { self.files = files }
}

/// One host device for a container: its node (`linux.devices`) and the access allowed to it (letters of `rwm`).
public struct ServiceDevice: Sendable, Hashable {
    public var node: RuntimeSpec.Device
    public var access: String

    public init(node: RuntimeSpec.Device, access: String) {
        self.node = node
        self.access = access
    }
}
