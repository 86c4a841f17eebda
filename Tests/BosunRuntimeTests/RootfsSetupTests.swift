import BosunOCI
@testable import BosunRuntime
import BosunTestSupport
import Foundation
import Testing

/// The order of a container's mounts and its pivot, with the recording Linux layer: no root needed.
@Suite("Rootfs setup order")
struct RootfsSetupTests {
    /// A temporary host: `rootfs/` with the paths the default spec masks and makes read-only, and `data/`.
    final class Host {
        let path = NSTemporaryDirectory() + "bosun-rootfs-setup-\(UUID().uuidString)"
        var rootfs: String { path + "/rootfs" }

        init() throws {
            for directory in ["rootfs/proc/sys", "rootfs/sys/firmware", "rootfs/etc", "data"] {
                try FileManager.default.createDirectory(atPath: path + "/" + directory, withIntermediateDirectories: true)
            }
            _ = FileManager.default.createFile(atPath: rootfs + "/proc/kcore", contents: nil)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Docker's default spec without the cgroup mount (what it becomes depends on the host's hierarchy), with a
    /// read-only bind, a sysctl and a read-only root.
    func spec(host: Host, bindDestination: String = "/srv") -> RuntimeSpec {
        var spec = DefaultSpec.make(args: ["/bin/sh"])
        spec.mounts = (spec.mounts ?? []).filter { $0.type != "cgroup" }
            + [.init(destination: bindDestination, type: "bind", source: host.path + "/data", options: ["rbind", "ro"])]
        spec.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        spec.root = .init(path: "rootfs", readonly: true)
        return spec
    }

    func run(_ setup: RootfsSetup) throws {
        let resolver = try setup.mount()
        try setup.pivot(rootFD: resolver.rootFD)
        setup.system.close(resolver.rootFD)
        try setup.finish()
    }

    @Test("mounts in the spec's order under the rootfs, devices, pivot_root, then read-only and masked paths and a read-only root")
    func order() throws {
        let host = try Host()
        let system = RecordingLinuxSystem(host: host.path)
        try run(RootfsSetup(spec: spec(host: host), rootfs: host.rootfs, bundle: host.path, system: system))
        let devices = ["null", "zero", "full", "random", "urandom", "tty"].flatMap {
            ["mknod /rootfs/dev/\($0) 0666", "chown /rootfs/dev/\($0) 0:0"]
        }
        let links = [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                     ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")].map { "symlink /rootfs/dev/\($0.0) -> \($0.1)" }
        let expected = [
            "mount - on / rec,slave",
            "mount /rootfs on /rootfs bind,rec",
            "mount proc on /rootfs/proc type proc nosuid,nodev,noexec",
            "mount tmpfs on /rootfs/dev type tmpfs nosuid,strictatime data mode=755,size=65536k",
            "mount devpts on /rootfs/dev/pts type devpts nosuid,noexec data newinstance,ptmxmode=0666,mode=0620,gid=5",
            "mount sysfs on /rootfs/sys type sysfs ro,nosuid,nodev,noexec",
            "mount mqueue on /rootfs/dev/mqueue type mqueue nosuid,nodev,noexec",
            "mount shm on /rootfs/dev/shm type tmpfs nosuid,nodev,noexec data mode=1777,size=65536k",
            "mount /data on /rootfs/srv bind,rec",
            "mount - on /rootfs/srv ro,remount,bind",
        ] + devices + links + [
            "chdir /rootfs",
            "pivot_root /rootfs",
            "mount - on / rec,slave",
            "umount / detach",
            "chdir /",
            "write /proc/sys/net/ipv4/ip_forward 1",
            "mount /proc/sys on /proc/sys bind,rec",
            "mount - on /proc/sys ro,remount,bind",
            "mount /dev/null on /proc/kcore bind",
            "mount tmpfs on /sys/firmware type tmpfs ro",
            "mount - on / ro,remount,bind",
        ]
        #expect(system.calls == expected)
    }

    @Test("a root that cannot be pivoted (ramfs) is moved over / and chrooted into")
    func chrootFallback() throws {
        let host = try Host()
        let system = RecordingLinuxSystem(host: host.path)
        system.pivotFails = true
        let setup = RootfsSetup(spec: spec(host: host), rootfs: host.rootfs, bundle: host.path, system: system)
        let resolver = try setup.mount()
        let before = system.calls.count
        try setup.pivot(rootFD: resolver.rootFD)
        setup.system.close(resolver.rootFD)
        #expect(Array(system.calls[before...]) == ["chdir /rootfs", "mount /rootfs on / move", "chroot /rootfs", "chdir /"])
    }

    @Test("a mount destination that is a symlink out of the rootfs lands inside it")
    func symlinkedDestinationStaysInside() throws {
        let host = try Host()
        try FileManager.default.createSymbolicLink(atPath: host.rootfs + "/srv", withDestinationPath: "/etc")
        let system = RecordingLinuxSystem(host: host.path)
        _ = try RootfsSetup(spec: spec(host: host), rootfs: host.rootfs, bundle: host.path, system: system).mount()
        #expect(system.calls.contains("mount /data on /rootfs/etc bind,rec"))
        #expect(!system.calls.contains { $0.contains(" on /etc") })
    }

    @Test("shared propagation is applied to the new root last, never to the host's /")
    func sharedPropagationLast() throws {
        let host = try Host()
        var spec = spec(host: host)
        spec.linux?.rootfsPropagation = "rshared"
        let system = RecordingLinuxSystem(host: host.path)
        try run(RootfsSetup(spec: spec, rootfs: host.rootfs, bundle: host.path, system: system))
        #expect(system.calls.first == "mount - on / rec,slave")
        #expect(system.calls.last == "mount - on / rec,shared")
    }
}
