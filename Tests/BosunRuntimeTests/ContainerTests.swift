import BosunOCI
import BosunRuntime
import Foundation
import Testing
import BosunTestSupport

@Suite("container runtime (root)", .enabled(if: RootGate.enabled))
struct ContainerTests {
    @Test func runsAsPidOneWithItsHostname() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("echo $$; hostname")
        #expect(outcome.stderr == "")
        #expect(outcome.stdout == "1\ntestbox\n")
        #expect(outcome.status == 0)
    }

    @Test func exitsWithTheContainersStatus() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        #expect(try fixture.run("exit 7").status == 7)
    }

    @Test func mountsProcDevptsAndReadOnlySysfs() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let mountinfo = try fixture.run("cat /proc/self/mountinfo").stdout.split(separator: "\n")
        func line(_ target: String) -> Substring? { mountinfo.first { $0.split(separator: " ")[4] == target } }
        #expect(line("/proc")?.contains(" - proc ") == true)
        #expect(line("/dev/pts")?.contains(" - devpts ") == true)
        #expect(line("/dev")?.contains(" - tmpfs ") == true)
        let sys = try #require(line("/sys"))
        #expect(sys.contains(" - sysfs ") && sys.split(separator: " ")[5].hasPrefix("ro"))
        #expect(line("/proc/sys")?.split(separator: " ")[5].hasPrefix("ro") == true)
        let devices = try fixture.run("ls /dev; test -c /dev/null && test -L /dev/ptmx && echo ok").stdout
        for name in ["null", "zero", "full", "random", "urandom", "tty", "ptmx", "fd", "stdin", "shm", "mqueue", "pts", "ok"] {
            #expect(devices.split(separator: "\n").contains(Substring(name)), "missing /dev/\(name)")
        }
    }

    @Test func masksPaths() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        // This kernel has no /proc/kcore; /proc/keys and /proc/timer_list are masked the same way.
        let outcome = try fixture.run("wc -c < /proc/keys; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo x > /proc/sys/kernel/hostname || echo denied")
        #expect(outcome.stdout == "0\n0\n0\ndenied\n")
    }

    @Test func appliesCapabilitiesAndNoNewPrivileges() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status") { spec in
            let caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
            spec.process?.capabilities?.bounding = caps
            spec.process?.capabilities?.effective = caps
            spec.process?.capabilities?.permitted = caps
        }
        // CHOWN 0, KILL 5, NET_BIND_SERVICE 10.
        #expect(outcome.stdout == "CapEff:\t0000000000000421\nCapBnd:\t0000000000000421\nNoNewPrivs:\t1\n")
        let defaults = try fixture.run("grep CapEff /proc/self/status").stdout
        #expect(defaults == "CapEff:\t00000000a80425fb\n")
    }

    @Test func switchesToANonRootUserByName() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let outcome = try fixture.run("id -u; id -g; id -G; echo $HOME; grep CapEff /proc/self/status; umask") { spec in
            spec.process?.user.username = "alice"
            spec.process?.user.umask = 0o027
        }
        #expect(outcome.stderr == "")
        #expect(outcome.stdout == "1000\n1000\n1000 50\n/home/alice\nCapEff:\t0000000000000000\n0027\n")
    }

    @Test func keepsSymlinkedMountTargetsInsideTheRootfs() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let tag = UUID().uuidString.prefix(8)
        let absolute = "/tmp/bosun-outside-\(tag)"
        let relative = "bosun-escape-\(tag)"
        try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/mnt/link", withDestinationPath: absolute)
        try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/mnt/up", withDestinationPath: "../../../../../../tmp/" + relative)
        let source = fixture.directory + "/source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try "from host\n".write(toFile: source + "/file", atomically: true, encoding: .utf8)
        let outcome = try fixture.run("touch /mnt/link/written && cat /mnt/up/file && stat -L -c %a /mnt/link") { spec in
            spec.mounts?.append(.init(destination: "/mnt/link", type: "tmpfs", source: "tmpfs", options: ["mode=700", "size=1m"]))
            spec.mounts?.append(.init(destination: "/mnt/up", type: "bind", source: source, options: ["rbind", "ro"]))
        }
        #expect(outcome.stderr == "")
        #expect(outcome.stdout == "from host\n700\n")
        #expect(!FileManager.default.fileExists(atPath: absolute), "a mount escaped to the host's \(absolute)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + relative), "a mount escaped to the host's /tmp")
        #expect(FileManager.default.fileExists(atPath: fixture.rootfs + absolute))
        #expect(FileManager.default.fileExists(atPath: fixture.rootfs + "/tmp/" + relative))
    }

    @Test func readOnlyBindsAndRootfs() throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        let source = fixture.directory + "/data"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let outcome = try fixture.run("touch /data/x 2>/dev/null || echo data-ro; touch /x 2>/dev/null || echo root-ro; touch /tmp/x && echo tmp-rw") { spec in
            spec.root?.readonly = true
            spec.mounts?.append(.init(destination: "/data", type: "bind", source: source, options: ["bind", "ro", "nosuid"]))
            spec.mounts?.append(.init(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"]))
        }
        #expect(outcome.stdout == "data-ro\nroot-ro\ntmp-rw\n")
    }

    /// Validation suite linux_rootfs_propagation.t: an unbindable `/` must not refuse the rootfs bind.
    @Test(arguments: ["unbindable", "shared", "private"])
    func rootfsPropagation(_ propagation: String) throws {
        let fixture = try RuntimeFixture()
        defer { fixture.tearDown() }
        // mountinfo's optional fields: `shared:N`, `unbindable`, or nothing for a private mount.
        let outcome = try fixture.run("grep -E '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ' /proc/self/mountinfo") { spec in spec.linux?.rootfsPropagation = propagation }
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let fields = outcome.stdout.split(separator: " - ").first?.split(separator: " ").dropFirst(6).map(String.init) ?? ["?"]
        switch propagation {
        case "unbindable": #expect(fields == ["unbindable"])
        case "shared": #expect(fields.count == 1 && fields[0].hasPrefix("shared:"))
        default: #expect(fields.isEmpty)
        }
    }
}
