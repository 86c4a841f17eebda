import Foundation
import Testing
import BosunTestSupport

/// What containerd, podman and a user of runc rely on: runc's own default spec runs, `delete --force` of a
/// container that is not there succeeds.
@Suite("runc compatibility", .enabled(if: RootGate.enabled), .serialized)
struct RuncCompatibilityTests {
    /// `runc spec`'s output (runc 1.1.5, Debian 12), untouched: a terminal, ambient capabilities without an
    /// inheritable set, a read-only rootfs at `rootfs`.
    static let runcSpec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/runc-1.1.5-spec.json").path

    @Test("runc's default spec runs: its ambient capabilities are warned about and left out, its terminal is this one")
    func runcDefaultSpec() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try FileManager.default.copyItem(atPath: Self.runcSpec, toPath: fixture.bundle + "/config.json")
        let commands = fixture.directory + "/commands"
        try "echo hi-from-sh\nexit 3\n".write(toFile: commands, atomically: true, encoding: .utf8)
        // `script` gives the run a terminal, as a user's shell has: runc's spec asks for one.
        let command = "\(RuntimeFixture.binary) runtime --root \(fixture.stateRoot) run --bundle \(fixture.bundle) runc-default < \(commands)"
        let outcome = try RuntimeFixture.run("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(outcome.status == 3, "\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stdout.contains("hi-from-sh"))
        for cap in ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] {
            #expect(outcome.stdout.contains("ambient capability \(cap) is not raised: it is not in the inheritable set"))
        }
        #expect(!outcome.stdout.contains("operation not permitted"))
    }

    @Test("ambient capabilities in the inheritable set are raised")
    func ambientRaised() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("grep CapAmb /proc/self/status") { spec in
            spec.process?.user = .init(uid: 1000, gid: 1000)
            spec.process?.capabilities?.inheritable = ["CAP_NET_BIND_SERVICE"]
            spec.process?.capabilities?.ambient = ["CAP_NET_BIND_SERVICE"]
        }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("CapAmb:\t0000000000000400"), "\(outcome.stdout)")
        #expect(outcome.stderr.isEmpty)
    }

    @Test("delete --force of a container that does not exist succeeds, as runc's; without --force it fails")
    func deleteMissing() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        #expect(try fixture.bosun(["delete", "--force", "never-created"]).status == 0)
        #expect(try fixture.bosun(["delete", "never-created"]).status != 0)
    }
}

/// A spec that asks for AppArmor or SELinux confinement gets it, or is refused before anything is made: never
/// less in silence. The applied case needs a host with AppArmor (`../shared/vm/run-in-vm`, Debian's kernel).
@Suite("security labels", .enabled(if: RootGate.enabled), .serialized)
struct SecurityLabelTests {
    @Test("a profile or label this host cannot apply is refused with the setting's name, and nothing is left")
    func refusedWhereUnsupported() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let appArmor = FileManager.default.contents(atPath: "/sys/module/apparmor/parameters/enabled").map { $0.first == UInt8(ascii: "Y") } ?? false
        let seLinux = FileManager.default.fileExists(atPath: "/sys/fs/selinux/enforce")
        if !appArmor {
            let outcome = try fixture.run("true") { $0.process?.apparmorProfile = "bosun-test" }
            #expect(outcome.status != 0)
            #expect(outcome.stderr.contains("process.apparmorProfile is \"bosun-test\" but AppArmor is not enabled on this host"), "\(outcome.stderr)")
        }
        if !seLinux {
            let label = try fixture.run("true") { $0.process?.selinuxLabel = "system_u:system_r:container_t:s0" }
            #expect(label.status != 0 && label.stderr.contains("process.selinuxLabel is set but SELinux is not enabled"), "\(label.stderr)")
            let mount = try fixture.run("true") { $0.linux?.mountLabel = "system_u:object_r:container_file_t:s0" }
            #expect(mount.status != 0 && mount.stderr.contains("linux.mountLabel is set but SELinux is not enabled"), "\(mount.stderr)")
        }
    }

    @Test("an AppArmor profile loaded on the host is the container's", .enabled(if: FileManager.default.contents(atPath: "/sys/module/apparmor/parameters/enabled")?.first == UInt8(ascii: "Y")))
    func appArmorApplied() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let profile = fixture.directory + "/profile"
        try "profile bosun-test-profile flags=(attach_disconnected,mediate_deleted) {\n  file,\n  capability,\n  network,\n  mount,\n  umount,\n  pivot_root,\n  signal,\n  ptrace,\n}\n"
            .write(toFile: profile, atomically: true, encoding: .utf8)
        let loaded = try RuntimeFixture.run("/usr/sbin/apparmor_parser", ["-r", profile])
        try #require(loaded.status == 0, "\(loaded.stderr)")
        defer { _ = try? RuntimeFixture.run("/usr/sbin/apparmor_parser", ["-R", profile]) }
        let outcome = try fixture.run("cat /proc/self/attr/current") { $0.process?.apparmorProfile = "bosun-test-profile" }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("bosun-test-profile"), "\(outcome.stdout)")
    }
}
