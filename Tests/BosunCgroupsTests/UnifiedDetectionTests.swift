@testable import BosunCgroups
import Foundation
import Testing

@Suite struct UnifiedDetectionTests {
    @Test func pureV2AtTheRoot() throws {
        let tree = try FakeCgroupTree()
        let layout = try tree.layout()
        #expect(layout == .unified(UnifiedHierarchy(
            mountPoint: tree.root, controllers: ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"])))
    }

    @Test func delegatedCgroupBecomesTheBase() throws {
        let tree = try FakeCgroupTree()
        let service = try CgroupPath(components: ["system.slice", "bosun.service"])
        _ = try UnifiedCgroupManager(
            hierarchy: UnifiedHierarchy(mountPoint: tree.root, controllers: []), path: service, fileSystem: tree
        ).create(limits: CgroupLimits())
        let own = "0::/system.slice/bosun.service\n"
        // As root every file is writable: without systemd's delegate mark the base stays the root.
        guard case .unified(let unmarked) = try tree.layout(selfCgroup: own, euid: 0) else { Issue.record(); return }
        #expect(unmarked.base.isEmpty && !unmarked.delegated)
        tree.delegated.withLock { _ = $0.insert(tree.root + "/system.slice/bosun.service") }
        guard case .unified(let marked) = try tree.layout(selfCgroup: own, euid: 0) else { Issue.record(); return }
        #expect(marked.base == ["system.slice", "bosun.service"] && marked.delegated)
        #expect(marked.baseDirectory == tree.root + "/system.slice/bosun.service")
        #expect(marked.controllers == ["cpu", "cpuset", "io", "memory", "pids"])
        // An unprivileged agent whose cgroup.subtree_control is writable was delegated to.
        guard case .unified(let user) = try tree.layout(selfCgroup: own, euid: 1000) else { Issue.record(); return }
        #expect(user.delegated)
    }

    @Test func hybridIsLegacyWithTheUnifiedMountNoted() throws {
        let tree = try FakeCgroupTree(controllers: "hugetlb")
        let r = tree.root
        let mountinfo = """
            31 23 0:28 / \(r) rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / \(r)/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / \(r)/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / \(r)/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / \(r)/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / \(r)/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / \(r) rw,relatime - cgroup2 cgroup2 rw
            """
        // The cgroup2 line above is at the root only in this fake; move it to unified like the host.
        let hybrid = mountinfo.replacingOccurrences(of: "0:38 / \(r) rw", with: "0:38 / \(r)/unified rw")
        try FileManager.default.createDirectory(atPath: r + "/unified", withIntermediateDirectories: true)
        try tree.set("unified/cgroup.controllers", "hugetlb\n")
        let layout = try CgroupLayout.detect(root: r, mountinfo: hybrid, procSelfCgroup: "0::/\n", effectiveUID: 0,
                                             fileSystem: tree)
        #expect(layout == .legacy(LegacyHierarchies(
            mounts: ["cpu": r + "/cpu", "cpuacct": r + "/cpuacct", "memory": r + "/memory", "pids": r + "/pids"],
            unified: r + "/unified", unifiedControllers: ["hugetlb"])))
        #expect(try CgroupLayout.detect(root: r, mountinfo: mountinfo, procSelfCgroup: "0::/\n", effectiveUID: 0,
                                        fileSystem: tree) == .unified(UnifiedHierarchy(mountPoint: r, controllers: ["hugetlb"])))
    }

    @Test func noCgroupFileSystemIsATypedError() throws {
        let tree = try FakeCgroupTree()
        #expect(throws: CgroupError(.notMounted, action: "detect", file: "/nowhere",
                                    hint: "no cgroup2 mount at the root and no cgroup v1 controller mounted under it")) {
            try CgroupLayout.detect(root: "/nowhere", mountinfo: tree.unifiedMountinfo, procSelfCgroup: "",
                                    effectiveUID: 0, fileSystem: tree)
        }
    }

    @Test func ownCgroupAndMountinfoEscapes() {
        let text = "4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/user.slice\n"
        #expect(CgroupLayout.ownCgroupPath(text, controller: nil) == "/user.slice")
        #expect(CgroupLayout.ownCgroupPath(text, controller: "memory") == "/process_api/abc")
        #expect(CgroupLayout.ownCgroupPath(text, controller: "cpuacct") == "/x")
        let mounts = MountInfo.parse("40 31 0:37 / /sys/fs/my\\040cg rw - cgroup cgroup rw,cpu,cpuacct\n")
        #expect(mounts == [MountInfo(mountPoint: "/sys/fs/my cg", fileSystemType: "cgroup",
                                     superOptions: ["rw", "cpu", "cpuacct"])])
    }

    @Test func pathsAreValidated() throws {
        #expect(try CgroupPath.container(project: "shop", name: "web-1").description == "bosun/shop/web-1")
        for bad in [["a", ".."], ["a/b"], [""], ["memory.max"], ["cgroup.procs"], []] {
            #expect(throws: CgroupError.self) { try CgroupPath(components: bad) }
        }
    }
}
