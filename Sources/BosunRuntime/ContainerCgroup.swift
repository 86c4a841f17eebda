import BosunCgroups
import BosunOCI

/// The container's cgroup on this host: created with the spec's `linux.resources` while the runtime helper
/// starts (before it is sent its config), joined by the helper (`CgroupJoin`) before it enters namespaces and
/// clones the init, so the init and everything it forks run limited from the first instruction, and the
/// cgroup namespace the helper unshares has the container's cgroup as its root. Killed and removed by `delete`.
struct ContainerCgroup {
    let manager: any CgroupManager

    /// The cgroup path as recorded in state.json (`bosun/web`, `testdir/cgrouptest/container`).
    var recordedPath: String { manager.path.description }

    /// The file with the cgroup's `oom_kill` counter: `memory.oom_control` on v1, `memory.events` on v2.
    var oomCounterFile: String? {
        if let legacy = manager as? LegacyCgroupManager { return legacy.directory("memory").map { $0 + "/memory.oom_control" } }
        if let unified = manager as? UnifiedCgroupManager { return unified.directory + "/memory.events" }
        return nil
    }

    /// The settings `create` writes, worked out by `plan`.
    let settings: CgroupSettings

    /// The files the helper joins the cgroup through, known before the cgroup is made (see `CgroupJoin`).
    var joinFiles: [String] {
        (manager as? LegacyCgroupManager)?.processFiles(for: settings) ?? manager.processFiles
    }

    /// On cgroup v2 the helper is cloned straight into the cgroup (`CLONE_INTO_CGROUP`), so the cgroup is made
    /// before the helper is spawned; on v1 the helper joins it itself, and it is made while the helper starts.
    var isJoinedAtSpawn: Bool { manager.cloneIntoDirectory != nil }

    /// A descriptor of the cgroup's v2 directory for `clone3(CLONE_INTO_CGROUP)`, or nil (v1, or not made yet).
    /// The caller closes it.
    func openForSpawn() -> Int32? {
        try? (manager as? UnifiedCgroupManager)?.openForCloneInto()
    }

    /// The layout of the cgroup hierarchies under `root`: the host's, detected once per process, for the
    /// standard root; detected afresh for another (a test pointing the runtime at a hybrid host's cgroup2).
    static func layout(root: String) throws(CgroupError) -> CgroupLayout {
        root == ContainerRuntime.defaultCgroupRoot ? try CgroupLayout.host() : try CgroupLayout.detect(root: root)
    }

    /// The cgroup for `spec` on this host, not created yet; nil when the host has no cgroup filesystem and the
    /// spec asks for nothing.
    static func plan(spec: RuntimeSpec, id: String, root: String) throws(RuntimeError) -> ContainerCgroup? {
        let linux = spec.linux
        let path = try CgroupResources.path(linux?.cgroupsPath, id: id)
        let layout: CgroupLayout
        do {
            layout = try ContainerCgroup.layout(root: root)
        } catch {
            if linux?.resources == nil && linux?.cgroupsPath == nil { return nil }
            throw RuntimeError("find the cgroup hierarchies", detail: "\(error)")
        }
        let resources = linux?.resources ?? RuntimeSpec.LinuxResources()
        let settings = switch layout {
        case .unified: try CgroupResources.unified(resources, devices: linux?.devices ?? [])
        case .legacy(let hierarchies):
            try CgroupResources.legacy(resources, devices: linux?.devices ?? [],
                                       hugetlbOnUnified: hierarchies.mounts["hugetlb"] == nil
                                           && hierarchies.unifiedControllers.contains("hugetlb"))
        }
        return ContainerCgroup(manager: layout.manager(for: path), settings: settings)
    }

    /// Creates the planned cgroup with its settings; on failure nothing of it is left.
    func create(warn: (String) -> Void) throws(RuntimeError) {
        do {
            let report = try manager.create(settings: settings)
            for skipped in report.skipped { warn("cgroup `\(manager.path)`: not applied: \(skipped)") }
        } catch {
            try? manager.delete()
            throw RuntimeError("create cgroup `\(manager.path)`", detail: "\(error)")
        }
    }

    /// The cgroup recorded for a container, when the host still has the hierarchies.
    static func open(recordedPath: String, root: String) -> ContainerCgroup? {
        guard let layout = try? ContainerCgroup.layout(root: root),
              let path = try? CgroupPath(components: recordedPath.split(separator: "/").map(String.init))
        else { return nil }
        return ContainerCgroup(manager: layout.manager(for: path), settings: CgroupSettings(writes: []))
    }

    /// Applies `resources` to the running container's cgroup (`bosun runtime update`).
    func update(_ resources: RuntimeSpec.LinuxResources, devices: [RuntimeSpec.Device], warn: (String) -> Void)
        throws(RuntimeError)
    {
        let settings: CgroupSettings
        if let legacy = manager as? LegacyCgroupManager {
            settings = try CgroupResources.legacy(
                resources, devices: devices,
                hugetlbOnUnified: legacy.hierarchies.mounts["hugetlb"] == nil
                    && legacy.hierarchies.unifiedControllers.contains("hugetlb"))
        } else {
            settings = try CgroupResources.unified(resources)
        }
        do {
            let report = try manager.update(settings: settings)
            for skipped in report.skipped { warn("cgroup `\(manager.path)`: not applied: \(skipped)") }
        } catch {
            throw RuntimeError("update cgroup `\(manager.path)`", detail: "\(error)")
        }
    }

    /// Kills whatever is left in the cgroup and removes it (and parents no other cgroup uses).
    func remove() throws(RuntimeError) {
        do {
            try manager.kill()
            try manager.delete()
        } catch {
            throw RuntimeError("remove cgroup `\(manager.path)`", detail: "\(error)")
        }
    }
}
