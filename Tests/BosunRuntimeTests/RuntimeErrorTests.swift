import BosunOCI
import BosunRuntime
import Foundation
import Testing
import BosunTestSupport

@Suite("runtime errors (root)", .enabled(if: RootGate.enabled))
struct RuntimeErrorTests {
    @Test func missingRootfs() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("true") { $0.root?.path = "nowhere" }
        #expect(outcome.status == 4)
        #expect(outcome.stderr == "bosun: rootfs `\(fixture.bundle)/nowhere`: no such file or directory (`root.path` in config.json names it)\n")
    }

    @Test func unknownUser() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("true") { $0.process?.user.username = "mallory" }
        #expect(outcome.stderr == "bosun: user `mallory`: not found in the container's /etc/passwd\n")
    }

    @Test func badMountTypeNamesTheStepAndErrno() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("true") { $0.mounts?.append(.init(destination: "/mnt/x", type: "nosuchfs", source: "none", options: nil)) }
        #expect(outcome.stderr == "bosun: mount `nosuchfs` on `\(fixture.rootfs)/mnt/x`: no such device\n")
    }

    @Test func missingBinary() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        try fixture.writeSpec("") { $0.process?.args = ["/bin/nosuch"] }
        let outcome = try fixture.bosun(["run", "--bundle", fixture.bundle, "missing"])
        #expect(outcome.stderr == "bosun: exec `/bin/nosuch`: no such file or directory\n")
        try fixture.writeSpec("") { $0.process?.args = ["nosuch"] }
        let searched = try fixture.bosun(["run", "--bundle", fixture.bundle, "missing"])
        #expect(searched.stderr.hasPrefix("bosun: exec `nosuch`: no such file or directory (not found in the container's PATH"))
    }

    @Test func rlimitAboveTheHostHardLimit() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        var host = rlimit()
        getrlimit(__rlimit_resource_t(7), &host)
        let outcome = try fixture.run("true") { $0.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: UInt64(host.rlim_max) + 1, soft: 1024)] }
        #expect(outcome.stderr.hasPrefix("bosun: set rlimit `RLIMIT_NOFILE` to 1024:\(UInt64(host.rlim_max) + 1): above the host's hard limit \(host.rlim_max)"))
        let within = try fixture.run("ulimit -n; ulimit -Hn") { $0.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 2000, soft: 1500)] }
        #expect(within.stdout == "1500\n2000\n")
    }
}
