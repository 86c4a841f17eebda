import Foundation
import Testing

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
