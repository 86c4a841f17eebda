import Foundation
import Glibc
import Testing
@testable import BosunRuntime

/// A state record names its process by pid, start time and boot: after a reboot the pid and start time can
/// repeat, the boot id cannot.
@Suite struct BootIDTests {
    @Test func theKernelGivesABootID() throws {
        let id = try #require(BootID.current)
        #expect(id.count == 36 && id.split(separator: "-").count == 5)
        #expect(BootID.isCurrent(id) && BootID.isCurrent(nil) && !BootID.isCurrent("00000000-0000-0000-0000-000000000000"))
    }

    @Test func aRecordOfAnotherBootIsStoppedEvenWhenItsPidRuns() throws {
        let root = "/var/tmp/bosun-bootid-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ContainerStore(root: root)
        let me = try #require(ProcStat(pid: getpid()))
        var record = ContainerRecord(id: "c1", bundle: "/b", rootfs: "/b/rootfs", pid: getpid(), startTime: me.startTime, created: Date(),
                                     bootID: BootID.current)
        #expect(store.status(of: record) == "running")
        record.bootID = nil  // written before boot ids were recorded: pid and start time decide
        #expect(store.status(of: record) == "running")
        record.bootID = "00000000-0000-0000-0000-000000000000"
        #expect(store.status(of: record) == "stopped")
    }
}
