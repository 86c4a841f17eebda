public import BosunOCI

/// What the host provides a service's container, already resolved by the caller: the per-container /etc
/// files, volume directories, the commit's files for relative binds, secret files, the network namespace,
/// the seccomp policy and bosun's init binary.
public struct ServiceHostPaths: Sendable, Hashable {
    public var files: ContainerFiles
    /// Named volume key (as the service writes it) → host directory.
    public var volumes: [String: String] = [:]
    /// The directory holding the commit's files: relative bind sources (`./web/conf`) resolve under it.
    public var sourceDirectory: String?
    /// Secret key → host file to bind read-only.
    public var secrets: [String: String] = [:]
    public var network: RunRequest.NetworkMode = .none
    /// The seccomp policy (Docker's default unless the service says `unconfined`).
    public var seccomp: RuntimeSpec.Seccomp?
    /// bosun's static init (`bosun-monitor`), bound at `/.bosun/init` for `init: true`.
    public var initBinary: String?
    /// Annotations recorded in the container's config (project, service, config hash).
    public var annotations: [String: String] = [:]

    public init(files: ContainerFiles) { self.files = files }

    /// A bind source as the host sees it: absolute paths stay, tree-relative ones resolve in the commit's files.
    func bindSource(_ source: String) -> String {
        guard !source.hasPrefix("/"), let base = sourceDirectory else { return source }
        var relative = Substring(source)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return base + "/" + relative
    }
}
