import Glibc
import Synchronization

/// Which cgroup hierarchy this host has, found at run time from `/proc/self/mountinfo`, `/proc/self/cgroup`
/// and the files under the root. The root is a parameter so tests can point it at a fake tree.
public enum CgroupLayout: Sendable, Equatable {
    /// Pure cgroup v2 (`root` is a cgroup2 mount), possibly with a systemd-delegated base.
    case unified(UnifiedHierarchy)
    /// cgroup v1 controllers, each mounted on its own hierarchy (hybrid when a cgroup2 mount exists beside them).
    case legacy(LegacyHierarchies)

    /// Detects the layout of this process's view of `root`.
    public static func detect(
        root: String = "/sys/fs/cgroup", fileSystem: any CgroupFileSystem = HostCgroupFileSystem()
    ) throws(CgroupError) -> CgroupLayout {
        let mountinfo = try fileSystem.read("/proc/self/mountinfo")
        let ownCgroup = try fileSystem.read("/proc/self/cgroup")
        return try detect(root: root, mountinfo: mountinfo, procSelfCgroup: ownCgroup, effectiveUID: UInt32(geteuid()),
                          fileSystem: fileSystem)
    }

    /// Detection from given texts; pure except for reading `cgroup.controllers` and the delegation checks.
    public static func detect(
        root: String, mountinfo: String, procSelfCgroup: String, effectiveUID: UInt32,
        fileSystem: any CgroupFileSystem
    ) throws(CgroupError) -> CgroupLayout {
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        let mounts = MountInfo.parse(mountinfo).filter { $0.mountPoint == root || $0.mountPoint.hasPrefix(root + "/") }
        if mounts.contains(where: { $0.fileSystemType == "cgroup2" && $0.mountPoint == root }) {
            let own = ownCgroupPath(procSelfCgroup, controller: nil) ?? "/"
            var base: [String] = []
            var delegated = false
            let ownDirectory = root + (own == "/" ? "" : own)
            // Under `Delegate=yes` systemd hands us our own cgroup; as root every file is writable, so root also
            // needs systemd's mark before bosun builds its subtree anywhere but the hierarchy root.
            if own != "/", fileSystem.isWritable(ownDirectory + "/cgroup.subtree_control"),
               effectiveUID != 0 || fileSystem.isDelegated(ownDirectory) {
                base = own.split(separator: "/").map(String.init)
                delegated = true
            }
            let baseDirectory = base.isEmpty ? root : root + "/" + base.joined(separator: "/")
            let controllers = try fileSystem.read(baseDirectory + "/cgroup.controllers")
                .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            return .unified(UnifiedHierarchy(mountPoint: root, base: base, controllers: Set(controllers),
                                             delegated: delegated))
        }
        var controllers: [String: String] = [:]
        for mount in mounts where mount.fileSystemType == "cgroup" {
            for option in mount.superOptions where LegacyHierarchies.knownControllers.contains(option) {
                controllers[option] = mount.mountPoint
            }
        }
        guard !controllers.isEmpty else {
            throw CgroupError(.notMounted, action: "detect", file: root,
                              hint: "no cgroup2 mount at the root and no cgroup v1 controller mounted under it")
        }
        var unified: String?
        var unifiedControllers: Set<String> = []
        if let mount = mounts.first(where: { $0.fileSystemType == "cgroup2" }) {
            unified = mount.mountPoint
            let text = (try? fileSystem.read(mount.mountPoint + "/cgroup.controllers")) ?? ""
            unifiedControllers = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        return .legacy(LegacyHierarchies(mounts: controllers, unified: unified, unifiedControllers: unifiedControllers))
    }

    /// The manager for one cgroup in this layout.
    public func manager(
        for path: CgroupPath, fileSystem: any CgroupFileSystem = HostCgroupFileSystem()
    ) -> any CgroupManager {
        switch self {
        case .unified(let hierarchy): UnifiedCgroupManager(hierarchy: hierarchy, path: path, fileSystem: fileSystem)
        case .legacy(let hierarchies): LegacyCgroupManager(hierarchies: hierarchies, path: path, fileSystem: fileSystem)
        }
    }

    /// The cgroup path of this process from `/proc/self/cgroup`: the `0::` line for v2, or the line naming
    /// `controller` for v1.
    public static func ownCgroupPath(_ text: String, controller: String?) -> String? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if let controller {
                if fields[1].split(separator: ",").contains(Substring(controller)) { return String(fields[2]) }
            } else if fields[0] == "0", fields[1].isEmpty {
                return String(fields[2])
            }
        }
        return nil
    }
}

/// A cgroup v2 hierarchy and the directory under it where bosun builds its subtree.
public struct UnifiedHierarchy: Sendable, Equatable {
    /// Where cgroup2 is mounted, normally `/sys/fs/cgroup`.
    public var mountPoint: String
    /// Components of the base cgroup under the mount point: empty for the root, the delegated cgroup otherwise.
    public var base: [String]
    /// Controllers available in the base (`cgroup.controllers`).
    public var controllers: Set<String>
    /// Whether the base is a cgroup systemd delegated to us (`Delegate=yes`).
    public var delegated: Bool

    public init(mountPoint: String, base: [String] = [], controllers: Set<String>, delegated: Bool = false) {
        self.mountPoint = mountPoint
        self.base = base
        self.controllers = controllers
        self.delegated = delegated
    }

    /// The base directory.
    public var baseDirectory: String { base.isEmpty ? mountPoint : mountPoint + "/" + base.joined(separator: "/") }
}

/// cgroup v1 hierarchies: which mount point holds each controller.
public struct LegacyHierarchies: Sendable, Equatable {
    /// Controller name → mount point (`cpu` and `cpuacct` may share one).
    public var mounts: [String: String]
    /// A cgroup2 mount beside them (hybrid), not used for limits.
    public var unified: String?
    public var unifiedControllers: Set<String>

    public init(mounts: [String: String], unified: String? = nil, unifiedControllers: Set<String> = []) {
        self.mounts = mounts
        self.unified = unified
        self.unifiedControllers = unifiedControllers
    }

    /// The distinct mount points, sorted: each gets the container's cgroup.
    public var hierarchies: [String] { Array(Set(mounts.values)).sorted() }

    static let knownControllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio", "perf_event",
        "hugetlb", "pids", "rdma", "misc",
    ]
}

extension CgroupLayout {
    private static let hostLayout = HostLayoutCache()

    /// The host's layout under /sys/fs/cgroup, detected once per process (parsing mountinfo is costly on a
    /// host with many overlay mounts, and the hierarchies do not move under a running bosun).
    public static func host() throws(CgroupError) -> CgroupLayout {
        try hostLayout.get()
    }
}

/// A once-per-process cache of the host's detected layout; a failed detection is retried next time.
final class HostLayoutCache: Sendable {
    private let layout = Mutex<CgroupLayout?>(nil)

    func get() throws(CgroupError) -> CgroupLayout {
        try layout.withLock { cached throws(CgroupError) -> CgroupLayout in
            if let cached { return cached }
            let detected = try CgroupLayout.detect()
            cached = detected
            return detected
        }
    }
}
