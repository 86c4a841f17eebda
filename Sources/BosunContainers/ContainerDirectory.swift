public import BosunBundle
import BosunImageStore
import BosunRuntime
import Foundation

/// A one-off container's files under `<state>/containers/<name>`: the bundle, the overlay's upper and work
/// directories, and the /etc files bound into it. Removed (overlay unmounted first) when the container ends.
public struct ContainerDirectory: Sendable {
    public let name: String
    public let root: String

    public init(state: String, name: String) {
        self.name = name
        root = state + "/containers/" + name
    }

    public var bundle: String { root + "/bundle" }
    public var rootfs: String { bundle + "/rootfs" }
    public var upper: String { root + "/upper" }
    public var work: String { root + "/work" }
    public var files: ContainerFiles { ContainerFiles(hosts: root + "/hosts", hostname: root + "/hostname", resolvConf: root + "/resolv.conf") }

    public func prepare(hostname: String, hostNetwork: Bool) throws {
        guard !FileManager.default.fileExists(atPath: root) else {
            throw RuntimeError("create container `\(name)`", detail: "a container with this name already exists (\(root))", hint: "remove it first (`bosun rm`)")
        }
        for directory in [rootfs, work] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // The merged root takes the upper directory's owner and mode: it must be the image root's usual 0755,
        // or a non-root user could not even reach /bin.
        try FileManager.default.createDirectory(atPath: upper, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t\(hostname)\n".write(toFile: files.hosts, atomically: true, encoding: .utf8)
        try "\(hostname)\n".write(toFile: files.hostname, atomically: true, encoding: .utf8)
        // Loopback-only containers get no nameservers; with the host's network they use the host's.
        let resolv = hostNetwork ? ((try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? "") : ""
        try resolv.write(toFile: files.resolvConf, atomically: true, encoding: .utf8)
    }

    public func cleanUp() {
        try? OverlayRootfs.unmount(rootfs)
        try? FileManager.default.removeItem(atPath: root)
    }
}
