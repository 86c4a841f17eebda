import BosunModel
public import BosunBundle
import BosunImageStore
import BosunRuntime
import Foundation
import Glibc
import BosunLinux

/// A one-off container's files under `<state>/containers/<name>`: the bundle, the overlay's upper and work
/// directories, and the /etc files bound into it. Removed (overlay unmounted first) when the container ends.
public struct ContainerDirectory: Sendable {
    public let name: String
    public let root: String

    public init(state: String, name: String) {
        self.name = name
        root = StateLayout(state).container(name)
    }

    /// The directory at `root` (`<state>/containers/<name>`).
    public init(root: String) {
        self.root = root
        name = (root as NSString).lastPathComponent
    }

    public var bundle: String { root + "/bundle" }
    public var rootfs: String { bundle + "/rootfs" }
    public var upper: String { root + "/upper" }
    public var work: String { root + "/work" }
    public var files: ContainerFiles { ContainerFiles(hosts: root + "/hosts", hostname: root + "/hostname", resolvConf: root + "/resolv.conf") }

    /// The container's record (`container.json`).
    public var record: ContainerRecordFile { ContainerRecordFile(directory: root) }

    /// Records the ports published at start, as the network layer chose them (ephemeral ports and ports of a
    /// range are known only then).
    public func recordPublishedPorts(_ ports: [String]) throws {
        try record.update { $0?.publishedPorts = ports }
    }

    public func prepare(hostname: String, hostNetwork: Bool) throws {
        try FileManager.default.createDirectory(atPath: (root as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // mkdir, not a check then a create: two processes preparing the same name cannot both succeed.
        guard mkdir(root, 0o700) == 0 else {
            if errno == EEXIST {
                throw RuntimeError("create container `\(name)`", detail: "a container with this name already exists (\(root))", hint: "remove it first (`bosun rm`)")
            }
            throw RuntimeError("create container `\(name)`", detail: "create `\(root)`: \(Errno.text(errno))")
        }
        do {
            // The record first: a half-made directory tells who is making it (`creatorIsAlive`).
            var preparing = ContainerMetadata(name: name, command: [], bundle: bundle, phase: .preparing)
            preparing.creator = ContainerDirectory.processMarker(getpid()).trimmingCharacters(in: .newlines)
            try record.update { $0 = preparing }
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
        } catch {
            // A directory this call could not finish is not left behind.
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// The record's `creator`: `PID STARTTIME BOOTID` of the process that prepared the directory.
    public var creator: String? { (try? record.read())??.creator }

    /// Whether the process that prepared the directory still runs (same pid and start time); false without a
    /// recorded creator or when that process is gone.
    public var creatorIsAlive: Bool { creator.flatMap(DetachedContainers.alivePid(marker:)) != nil }

    /// Whether this process prepared the directory.
    public var createdByThisProcess: Bool { creator.flatMap(DetachedContainers.alivePid(marker:)) == getpid() }

    /// `PID STARTTIME BOOTID\n` of a running process (the start time in clock ticks after boot, /proc/PID/stat
    /// field 22; the boot id, see `BootID`), the format `DetachedContainers.alivePid(file:)` reads.
    static func processMarker(_ pid: Int32) -> String {
        guard let start = ProcStat(pid: pid)?.startTime else { return "\(pid)\n" }
        return BootID.current.map { "\(pid) \(start) \($0)\n" } ?? "\(pid) \(start)\n"
    }

    public func cleanUp() {
        try? OverlayRootfs.unmount(rootfs)
        try? FileManager.default.removeItem(atPath: root)
    }
}
