import Testing
@testable import BosunRuntime

/// How the helper picks the file it joins a cgroup through.
@Suite struct CgroupJoinTests {
    @Test func aTasksFileHasCgroupProcsBesideIt() {
        #expect(CgroupJoin.wholeProcessFile(for: "/sys/fs/cgroup/memory/bosun/c1/tasks") == "/sys/fs/cgroup/memory/bosun/c1/cgroup.procs")
        #expect(CgroupJoin.wholeProcessFile(for: "/sys/fs/cgroup/unified/bosun/c1/cgroup.procs")
            == "/sys/fs/cgroup/unified/bosun/c1/cgroup.procs")
        #expect(CgroupJoin.wholeProcessFile(for: "/x/mytasks") == "/x/mytasks")
    }

    @Test func readsTheThreadCountFromStatus() {
        #expect(CgroupJoin.threads(inStatus: "Name:\tbosun-init\nUmask:\t0022\nThreads:\t1\nSigQ:\t0/1\n") == 1)
        #expect(CgroupJoin.threads(inStatus: "Threads:\t12\n") == 12)
        #expect(CgroupJoin.threads(inStatus: "Name:\tx\n") == 0)
        #expect(CgroupJoin.threads(inStatus: "Threads:\tmany\n") == 0)
    }

    @Test func thisTestProcessIsMultithreaded() {
        // The test runner runs tests on threads: a helper in its place would join through cgroup.procs.
        #expect(CgroupJoin.threadCount() > 1)
    }
}

extension CgroupJoinTests {
    @Test func findsItsPidInCgroupProcs() {
        #expect(CgroupJoin.lists("1\n42\n4242\n", pid: "42"))
        #expect(!CgroupJoin.lists("1\n4242\n", pid: "42"))
        #expect(!CgroupJoin.lists("", pid: "42"))
    }
}
