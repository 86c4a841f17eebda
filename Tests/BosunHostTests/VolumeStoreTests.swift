import BosunConverge
import BosunHost
import BosunModel
import Foundation
import Testing

@Suite("Volumes and mounts", .enabled(if: HostFixtures.rootTestsEnabled))
struct VolumeStoreTests {
    @Test("a volume is created 0700 with a 0755 _data, listed, and removed without following symlinks out of it")
    func lifecycle() throws {
        try #require(HostFixtures.isRoot, "volumes are owned by root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = VolumeStore(stateDirectory: dir + "/state")
        #expect(store.list().isEmpty)
        let data = try store.create("shop_data")
        #expect(data == dir + "/state/volumes/shop_data/_data")
        #expect(HostFixtures.mode(dir + "/state/volumes")?.mode == S_IFDIR | 0o700)
        #expect(HostFixtures.mode(dir + "/state/volumes/shop_data")?.mode == S_IFDIR | 0o700)
        #expect(HostFixtures.mode(data)?.mode == S_IFDIR | 0o755)
        #expect(try store.create("shop_data") == data)
        #expect(store.list() == ["shop_data"])
        // What a container may leave: a symlink to something outside, and a directory.
        let outside = dir + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outside + "/keep", contents: Data("keep".utf8))
        #expect(symlink(outside, data + "/escape") == 0)
        try FileManager.default.createDirectory(atPath: data + "/sub/deeper", withIntermediateDirectories: true)
        try store.remove("shop_data")
        #expect(!store.exists("shop_data") && store.list().isEmpty)
        #expect(FileManager.default.fileExists(atPath: outside + "/keep"))
        try store.remove("shop_data")
        #expect(throws: HostError.self) { try store.create("../escape") }
    }

    @Test("an empty volume is filled from the busybox image at the mount path, with owners and modes; a used one is not")
    func initialiseFromBusybox() throws {
        try #require(HostFixtures.isRoot, "mounting the image needs root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, lowers) = try HostFixtures.busybox(in: dir)
        let store = VolumeStore(stateDirectory: dir + "/state")
        let etc = try store.create("etc")
        #expect(try store.initialise("etc", fromImage: lowers, at: "/etc"))
        #expect(try String(contentsOfFile: etc + "/passwd", encoding: .utf8).hasPrefix("root:x:0:0:"))
        let tmp = try store.create("tmp")
        #expect(try store.initialise("tmp", fromImage: lowers, at: "/tmp/"))
        #expect(HostFixtures.mode(tmp)?.mode == S_IFDIR | 0o1777)
        let bin = try store.create("bin")
        #expect(try store.initialise("bin", fromImage: lowers, at: "/bin"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: bin + "/sh")) == "busybox")
        // Not empty any more: never copied again (the container's data wins).
        try Data("mine".utf8).write(to: URL(fileURLWithPath: etc + "/passwd"))
        #expect(try !store.initialise("etc", fromImage: lowers, at: "/etc"))
        #expect(try String(contentsOfFile: etc + "/passwd", encoding: .utf8) == "mine")
        // A path the image does not have leaves the volume empty.
        try store.create("none")
        #expect(try !store.initialise("none", fromImage: lowers, at: "/var/lib/nothing"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(dir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/state/volumes").sorted() == ["bin", "etc", "none", "tmp"])
    }

    @Test("layers merge as overlayfs does (whiteouts, opaque directories), and a symlink in the image stays inside it")
    func layersAndSymlinks() throws {
        try #require(HostFixtures.isRoot, "mounting the image needs root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bottom = dir + "/bottom", top = dir + "/top"
        try HostFixtures.shell("""
            mkdir -p bottom/data/old bottom/data/gone bottom/etc top/data && echo base > bottom/data/file && echo gone > bottom/data/gone/x \
            && echo image-secret > bottom/etc/shadow && chown 70:71 bottom/data && chmod 0750 bottom/data \
            && mknod top/data/gone c 0 0 && echo new > top/data/file && ln -s /etc top/data/link \
            && mkdir -p top/opaque bottom/opaque && echo hidden > bottom/opaque/h && python3 -c "import os; os.setxattr('top/opaque', 'trusted.overlay.opaque', b'y')" \
            && ln -s ../../../../../etc top/escape && chown 70:71 top/data && chmod 0750 top/data
            """, in: dir)
        let store = VolumeStore(stateDirectory: dir + "/state")
        let data = try store.create("data")
        #expect(try store.initialise("data", fromImage: [bottom, top], at: "/data"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: data).sorted() == ["file", "link", "old"])
        #expect(try String(contentsOfFile: data + "/file", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: data + "/link") == "/etc")
        let owner = try #require(HostFixtures.mode(data))
        #expect(owner.mode == S_IFDIR | 0o750 && owner.uid == 70 && owner.gid == 71)
        let opaque = try store.create("opaque")
        try store.initialise("opaque", fromImage: [bottom, top], at: "/opaque")
        #expect(try FileManager.default.contentsOfDirectory(atPath: opaque).isEmpty)
        // `/escape` points above the root: resolved inside the image, it is the image's /etc, not the host's.
        let escaped = try store.create("escaped")
        #expect(try store.initialise("escaped", fromImage: [bottom, top], at: "/escape"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: escaped) == ["shadow"])
        #expect(try String(contentsOfFile: escaped + "/shadow", encoding: .utf8) == "image-secret\n")
    }

    @Test("mounts: volumes bind their _data, a missing bind path is an error naming the service unless asked to create it, tmpfs keeps size and mode")
    func serviceMounts() throws {
        try #require(HostFixtures.isRoot, "volumes are owned by root: run as root (CI does)")
        let dir = try HostFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = VolumeStore(stateDirectory: dir + "/state")
        var service = Service(name: "db", image: try ImageReference(parsing: "busybox:1.35"))
        var volume = VolumeMount(kind: .volume, source: "data", target: "/var/lib/data")
        volume.noCopy = true
        var tmpfs = VolumeMount(kind: .tmpfs, source: nil, target: "/run")
        tmpfs.tmpfsSize = ByteSize(bytes: 64 << 20)
        tmpfs.tmpfsMode = 0o1777
        let bind = VolumeMount(kind: .bind, source: dir + "/missing", target: "/conf", readOnly: true)
        service.volumes = [volume, tmpfs, bind]
        service.tmpfs = ["/cache:size=1m"]
        var project = Project(name: "shop", files: [], services: [service], networks: [], volumes: [Volume(key: "data", name: "shop_data")], secrets: [])
        let target = ContainerTarget(project: project, service: service, name: "shop-db-1", configHash: "sha256:x")
        let mounts = ServiceMounts(volumes: store)
        #expect {
            try mounts.mounts(for: target, imageLowers: [])
        } throws: { error in
            "\(error)" == "bind-mount \(dir)/missing for service db: the host path does not exist (hint: create it, or use the long syntax with bind: {create_host_path: true})"
        }
        service.volumes[2].createHostPath = true
        project.services = [service]
        let resolved = try mounts.mounts(for: ContainerTarget(project: project, service: service, name: "shop-db-1", configHash: "sha256:x"), imageLowers: [])
        #expect(resolved.map { "\($0.type ?? "") \($0.source ?? "") \($0.destination) \(($0.options ?? []).joined(separator: ","))" } == [
            "bind \(dir)/state/volumes/shop_data/_data /var/lib/data rbind,rprivate",
            "tmpfs tmpfs /run nosuid,nodev,noexec,size=67108864,mode=1777",
            "bind \(dir)/missing /conf rbind,rprivate,ro",
            "tmpfs tmpfs /cache nosuid,nodev,noexec,size=1m",
        ])
        #expect(FileManager.default.fileExists(atPath: dir + "/missing"))
    }
}
