import BosunCgroups
import BosunOCI
@testable import BosunRuntime
import Foundation
import Testing

/// The pure translation of OCI `linux.resources` into cgroup files, and `linux.cgroupsPath`.
struct CgroupResourcesTests {
    static let sample: RuntimeSpec.LinuxResources = {
        var resources = RuntimeSpec.LinuxResources()
        resources.memory = .init(limit: 67_108_864, reservation: 33_554_432, swap: 134_217_728)
        resources.memory?.kernel = 1_048_576
        resources.memory?.swappiness = 10
        resources.memory?.disableOOMKiller = true
        resources.cpu = .init(shares: 512, quota: 50_000, period: 100_000, cpus: "0")
        resources.pids = .init(limit: 32)
        resources.devices = [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 229, access: "rw")]
        resources.hugepageLimits = [.init(pageSize: "2MB", limit: 4_194_304)]
        resources.network = .init()
        resources.network?.classID = 1_048_577
        return resources
    }()

    @Test func legacyFilesInRuncOrder() throws {
        let settings = try CgroupResources.legacy(Self.sample, hugetlbOnUnified: true)
        let text = settings.writes.map(\.description)
        #expect(Array(text.prefix(5)) == [
            "cpuset.cpus=0", "devices.deny=a", "devices.allow=c 10:229 rw", "devices.allow=c *:* m", "devices.allow=b *:* m",
        ])
        #expect(Array(text.drop { !$0.hasPrefix("memory.") }) == [
            "memory.limit_in_bytes=67108864", "memory.memsw.limit_in_bytes=134217728",
            "memory.soft_limit_in_bytes=33554432", "memory.kmem.limit_in_bytes=1048576", "memory.swappiness=10",
            "memory.oom_control=1", "cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000",
            "pids.max=32", "hugetlb.2MB.max=4194304", "net_cls.classid=1048577",
        ])
        #expect(settings.writes.first { $0.file == "memory.kmem.limit_in_bytes" }?.need == .ifAccepted)
        #expect(settings.writes.filter { $0.controller == "devices" }.allSatisfy { $0.need == .required })
    }

    @Test func aNodeTheRulesNameGetsOnlyWhatTheySay() throws {
        var resources = RuntimeSpec.LinuxResources()
        resources.devices = [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 229, access: "r")]
        let devices = [RuntimeSpec.Device(type: "c", path: "/dev/fuse", major: 10, minor: 229),
                       RuntimeSpec.Device(type: "c", path: "/dev/net/tun", major: 10, minor: 200)]
        let writes = try CgroupResources.legacy(resources, devices: devices).writes.map(\.description)
        #expect(writes.contains("devices.allow=c 10:229 r"))
        #expect(!writes.contains("devices.allow=c 10:229 rwm"))
        #expect(writes.last == "devices.allow=c 10:200 rwm")
    }

    @Test func unifiedFiles() throws {
        let settings = try CgroupResources.unified(Self.sample)
        #expect(settings.writes.map(\.description) == [
            "memory.swap.max=67108864", "memory.max=67108864", "memory.low=33554432", "pids.max=32",
            "cpu.weight=20", "cpu.max=50000 100000", "cpuset.cpus=0", "hugetlb.2MB.max=4194304",
        ])
        // The device rules become the eBPF device filter, in the same order as v1's writes.
        #expect(!settings.notApplied.contains { $0.hasPrefix("linux.resources.devices") })
        let legacy = try CgroupResources.legacy(Self.sample).writes.filter { $0.controller == "devices" }
        #expect(settings.deviceFilter?.map { CgroupWrite("devices", $0.legacyFile, $0.legacyValue, .required) } == legacy)
        #expect(try CgroupResources.unified(RuntimeSpec.LinuxResources()).deviceFilter == nil)
    }

    @Test func unifiedKeysAreVerbatimAndRequired() throws {
        var resources = RuntimeSpec.LinuxResources()
        resources.unified = ["memory.high": "50M", "pids.max": "7"]
        let writes = try CgroupResources.unified(resources).writes
        #expect(writes == [.init("memory", "memory.high", "50M", .required), .init("pids", "pids.max", "7", .required)])
        resources.unified = ["../escape": "1"]
        #expect(throws: RuntimeError.self) { try CgroupResources.unified(resources) }
    }

    @Test func invalidValuesAreRefused() {
        var resources = RuntimeSpec.LinuxResources()
        resources.memory = .init(limit: 100_000_000, swap: 50_000_000)
        #expect(throws: RuntimeError.self) { try CgroupResources.unified(resources) }
        resources = RuntimeSpec.LinuxResources()
        resources.blockIO = .init()
        resources.blockIO?.weightDevice = [.init(major: 8, minor: 0)]
        #expect(throws: RuntimeError.self) { try CgroupResources.legacy(resources) }
    }

    @Test func cgroupsPath() throws {
        #expect(try CgroupResources.path(nil, id: "web").description == "bosun/web")
        #expect(try CgroupResources.path("/a/b", id: "web").description == "a/b")
        #expect(try CgroupResources.path("a/b", id: "web").description == "bosun/a/b")
        #expect(throws: RuntimeError.self) { try CgroupResources.path("/a/../b", id: "web") }
    }

    @Test func resourcesDecodeWithUnknownKeys() throws {
        let json = #"{"cgroupsPath":"/x","resources":{"memory":{"limit":1048576,"future":1},"rdma":{"x":{}},"pids":{"limit":5}}}"#
        let linux = try JSONDecoder().decode(RuntimeSpec.Linux.self, from: Data(json.utf8))
        #expect(linux.resources?.memory?.limit == 1_048_576)
        #expect(linux.resources?.pids?.limit == 5)
    }
}
