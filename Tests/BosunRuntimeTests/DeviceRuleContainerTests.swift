import BosunOCI
import Foundation
import Testing
import BosunTestSupport

/// Device rules for real: the default spec denies every device but the standard ones, on cgroup v1 through the
/// devices controller and on cgroup v2 through the eBPF device filter (this host's cgroup2 mount). A
/// container with CAP_MKNOD can make a node for /dev/loop-control (10:237) but not open it; without rules it can. Root.
@Suite("device rules (root)", .enabled(if: RootGate.enabled))
struct DeviceRuleContainerTests {
    static let script = "mknod /tmp/lc c 10 237 && dd if=/tmp/lc of=/dev/null bs=1 count=0 2>&1 && echo opened; echo x > /dev/null && echo null-ok"

    /// Runs the script with `--cgroup-root cgroupRoot` (nil: the default), the default rules or none.
    func run(cgroupRoot: String?, rules: Bool) throws -> RuntimeFixture.Outcome {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        for applet in ["mknod", "dd"] {
            try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try fixture.writeSpec(Self.script) { spec in
            if !rules { spec.linux?.resources?.devices = nil }
        }
        let id = "dev-\(UUID().uuidString.prefix(8))"
        let root = cgroupRoot.map { ["--cgroup-root", $0] } ?? []
        return try fixture.bosun(root + ["run", "--bundle", fixture.bundle, id])
    }

    /// With the default rules the node is made but not opened, /dev/null still works; without rules it opens.
    func expectRulesEnforced(cgroupRoot: String?) throws {
        let denied = try run(cgroupRoot: cgroupRoot, rules: true)
        #expect(denied.stdout.contains("Operation not permitted"), "\(denied.stdout) \(denied.stderr)")
        #expect(!denied.stdout.contains("opened"))
        #expect(denied.stdout.contains("null-ok"))
        let open = try run(cgroupRoot: cgroupRoot, rules: false)
        #expect(open.stdout.contains("opened"), "\(open.stdout) \(open.stderr)")
    }

    @Test func v1DeniesWhatTheRulesDoNotAllow() throws {
        try expectRulesEnforced(cgroupRoot: nil)
    }

    @Test func aNodeWithItsOwnRuleGetsExactlyThatAccess() throws {
        // Compose's `devices: ["/dev/loop-control:/dev/lc:r"]` as the bundle writes it: the node, and a rule for it.
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/bin/dd", withDestinationPath: "busybox")
        try fixture.writeSpec("dd if=/dev/lc of=/dev/null bs=1 count=0 2>&1 && echo read-ok; echo x > /dev/lc || echo write-denied") { spec in
            spec.linux?.devices = [.init(type: "c", path: "/dev/lc", major: 10, minor: 237)]
            spec.linux?.resources?.devices?.append(.init(allow: true, type: "c", major: 10, minor: 237, access: "r"))
        }
        let outcome = try fixture.bosun(["run", "--bundle", fixture.bundle, "dev-\(UUID().uuidString.prefix(8))"])
        #expect(outcome.stdout.contains("read-ok"), "\(outcome.stdout) \(outcome.stderr)")
        #expect(outcome.stdout.contains("write-denied"), "\(outcome.stdout) \(outcome.stderr)")
    }

    @Test func v2DeniesThroughTheDeviceFilter() throws {
        let mount = try #require(CgroupV2StartTests.cgroup2Mount(), "this host has no cgroup2 mount")
        try expectRulesEnforced(cgroupRoot: mount)
        rmdir(mount + "/bosun")
    }
}
