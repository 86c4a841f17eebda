public import BosunConverge
public import BosunOCI
public import BosunModel
import Foundation

/// A service's mounts as OCI mounts for its bundle: named volumes (created on first use and filled from the
/// image when empty), bind mounts (a missing host path is an error unless the manifest asks to create it),
/// and tmpfs with their size and mode.
public struct ServiceMounts: Sendable {
    public var volumes: VolumeStore
    /// Where relative bind sources (`./<project>/conf`, tree-relative) are read from: a directory source, or
    /// the content store's copy of the commit's files. Nil (or no root) refuses relative sources.
    public var sources: SourceFiles?

    public init(volumes: VolumeStore, sources: SourceFiles? = nil) {
        self.volumes = volumes
        self.sources = sources
    }

    /// The mounts of `target`'s service; `imageLowers` are its image's snapshots, bottom first (for
    /// initialising empty volumes).
    public func mounts(for target: ContainerTarget, imageLowers: [String]) throws(HostError) -> [RuntimeSpec.Mount] {
        let service = target.service
        var mounts: [RuntimeSpec.Mount] = []
        for mount in service.volumes {
            let propagation = mount.propagation ?? "rprivate"
            switch mount.kind {
            case .volume:
                let name = volumeName(mount, target: target)
                try volumes.create(name)
                if !mount.noCopy { try volumes.initialise(name, fromImage: imageLowers, at: mount.target) }
                mounts.append(RuntimeSpec.Mount(destination: mount.target, type: "bind", source: volumes.dataPath(name),
                                                options: ["rbind", propagation] + (mount.readOnly ? ["ro"] : [])))
            case .bind:
                let path = try hostPath(mount, service: service)
                mounts.append(RuntimeSpec.Mount(destination: mount.target, type: "bind", source: path,
                                                options: ["rbind", propagation] + (mount.readOnly ? ["ro"] : [])))
            case .tmpfs:
                var options = ["nosuid", "nodev", "noexec"]
                if let size = mount.tmpfsSize { options.append("size=\(size.bytes)") }
                if let mode = mount.tmpfsMode { options.append("mode=" + String(mode, radix: 8)) }
                if mount.readOnly { options.append("ro") }
                mounts.append(RuntimeSpec.Mount(destination: mount.target, type: "tmpfs", source: "tmpfs", options: options))
            }
        }
        for entry in service.tmpfs {
            // The short form: `/run` or `/run:size=64m,mode=1777`.
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            var options = ["nosuid", "nodev", "noexec"]
            if parts.count == 2 { options += parts[1].split(separator: ",").map(String.init) }
            mounts.append(RuntimeSpec.Mount(destination: parts[0], type: "tmpfs", source: "tmpfs", options: options))
        }
        return mounts
    }

    /// The host name of a mount's volume: the project's volume of that key, or for an anonymous volume one
    /// named after the container and the target (kept across recreation, like a named one).
    public func volumeName(_ mount: VolumeMount, target: ContainerTarget) -> String {
        if let key = mount.source, let volume = target.project.volumes.first(where: { $0.key == key }) { return volume.name }
        if let source = mount.source { return source }
        let digest = ConfigHash.digest(Array(mount.target.utf8)).dropFirst("sha256:".count).prefix(12)
        return "\(target.name)-anon-\(digest)"
    }

    /// The host path of a bind mount; created (0755) only when the manifest asks.
    func hostPath(_ mount: VolumeMount, service: Service) throws(HostError) -> String {
        guard var path = mount.source else { throw HostError("bind-mount into \(mount.target) for service \(service.name)", cause: "the mount has no source") }
        if !path.hasPrefix("/") {
            guard let resolved = try sources?.bindPath(path, digest: service.sourceDigests?[path]) else {
                throw HostError("bind-mount \(path) for service \(service.name)", cause: "a relative source needs the source tree's files",
                                hint: "use an absolute host path")
            }
            path = resolved
        }
        var info = stat()
        if stat(path, &info) == 0 { return path }
        guard mount.createHostPath else {
            throw HostError("bind-mount \(path) for service \(service.name)", cause: "the host path does not exist",
                            hint: "create it, or use the long syntax with bind: {create_host_path: true}")
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw HostError("create host path \(path) for service \(service.name)", cause: "\(error)")
        }
        return path
    }
}
