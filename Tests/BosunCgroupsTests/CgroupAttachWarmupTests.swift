import BosunCgroups
import Testing

/// The warm-up writes to the process's own cgroup: v1 hierarchies first, then the unified one.
@Suite struct CgroupAttachWarmupTests {
    @Test func hybridHostPrefersAControllerHierarchy() {
        let text = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n"
        #expect(CgroupAttachWarmup.procsFiles(procSelfCgroup: text, root: "/fake") == [
            "/fake/pids/cgroup.procs", "/fake/memory/process_api/abc/cgroup.procs", "/fake/cpu,cpuacct/cgroup.procs",
            "/fake/unified/cgroup.procs", "/fake/cgroup.procs",
        ])
    }

    @Test func unifiedHostUsesItsOwnCgroup() {
        #expect(CgroupAttachWarmup.procsFiles(procSelfCgroup: "0::/system.slice/bosun.service\n", root: "/sys/fs/cgroup") == [
            "/sys/fs/cgroup/unified/system.slice/bosun.service/cgroup.procs",
            "/sys/fs/cgroup/system.slice/bosun.service/cgroup.procs",
        ])
    }

    @Test func garbageGivesNothing() {
        #expect(CgroupAttachWarmup.procsFiles(procSelfCgroup: "nonsense\n1:cpu\n", root: "/x").isEmpty)
    }
}
