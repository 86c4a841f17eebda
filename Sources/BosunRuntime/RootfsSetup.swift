import BosunLinux
import BosunOCI
import CBosunSys
import Glibc

/// A container's root filesystem, built by its init in three steps — `mount` (propagation, the rootfs bound on
/// itself, the spec's mounts, devices), `pivot` (pivot_root, or a move and chroot where the root cannot be
/// pivoted) and `finish` (sysctls, read-only and masked paths, a read-only root, shared propagation) — through
/// a `LinuxSystem`, so that the order of every call is tested with the recording fake, without root.
struct RootfsSetup {
    let spec: RuntimeSpec
    /// The rootfs on the host, absolute.
    let rootfs: String
    /// The bundle, against which relative bind sources are resolved.
    let bundle: String
    let system: any LinuxSystem

    /// The spec's `rootfsPropagation` when it may only be applied at the end (shared or unbindable).
    var requestedPropagation: String { spec.linux?.rootfsPropagation ?? "" }

    /// Mounts everything under the rootfs; returns a resolver on it (its descriptor is the caller's to close
    /// after `pivot`).
    func mount() throws(RuntimeError) -> RootResolver {
        let requested = requestedPropagation
        var initial = BOSUN_MS_SLAVE | BOSUN_MS_REC
        if !requested.isEmpty {
            guard let flags = MountOptions.propagationTable[requested] else {
                throw RuntimeError("rootfs propagation `\(requested)`", detail: "unknown propagation")
            }
            // Shared and unbindable are applied to the new root at the end: a shared `/` would propagate the
            // container's mounts to the host, and an unbindable one refuses the rootfs bind below (EINVAL).
            if flags & (BOSUN_MS_SHARED | BOSUN_MS_UNBINDABLE) == 0 { initial = flags }
        }
        try linux { () throws(SystemCallError) in
            try system.mount(.call(source: nil, target: "/", type: nil, flags: initial, data: nil), action: "set the propagation of `/`")
            try system.mount(.call(source: rootfs, target: rootfs, type: nil, flags: BOSUN_MS_BIND | BOSUN_MS_REC, data: nil),
                             action: "bind mount rootfs `\(rootfs)` on itself")
        }
        let rootFD = try linux { () throws(SystemCallError) in
            try system.open(rootfs, flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, mode: 0, action: "open rootfs `\(rootfs)`")
        }
        let resolver = RootResolver(rootFD: rootFD, rootPath: rootfs, system: system)
        let executor = MountExecutor(resolver: resolver)
        let mounts = try Mount.plan(spec.mounts ?? [], bundle: bundle, mountLabel: spec.linux?.mountLabel)
        for mount in mounts { try executor.perform(mount) }

        let devIsTmpfs = mounts.contains { RootResolver.normalize($0.destination) == "/dev" && $0.typeName != "bind" }
        let maker = DeviceMaker(resolver: resolver)
        var devices = devIsTmpfs ? DefaultSpec.devices : []
        for device in spec.linux?.devices ?? [] {
            devices.removeAll { $0.path == device.path }
            devices.append(device)
        }
        for device in devices { try maker.create(device) }
        if devIsTmpfs { try maker.createSymlinks() }
        return resolver
    }

    /// pivot_root into the rootfs and detach the old root; where the root cannot be pivoted (ramfs or an
    /// initramfs), move the rootfs over `/` and chroot instead.
    func pivot(rootFD: Int32) throws(RuntimeError) {
        try linux { () throws(SystemCallError) in
            try system.changeDirectory(fd: rootFD, action: "chdir to rootfs `\(rootfs)`")
            var pivoted = true
            do throws(SystemCallError) {
                try system.pivotRoot(newRoot: ".", putOld: ".", action: "pivot_root to `\(rootfs)`")
            } catch where error.code == EINVAL {
                pivoted = false
            }
            if pivoted {
                try system.mount(.call(source: nil, target: ".", type: nil, flags: BOSUN_MS_SLAVE | BOSUN_MS_REC, data: nil),
                                 action: "make the old root a slave")
                try system.unmount(".", flags: Int32(BOSUN_MNT_DETACH), action: "detach the old root")
            } else {
                try system.mount(.call(source: ".", target: "/", type: nil, flags: BOSUN_MS_MOVE, data: nil), action: "move rootfs `\(rootfs)` to `/`")
                try system.changeRoot(".", action: "chroot to `\(rootfs)`")
            }
            try system.changeDirectory("/", action: "chdir to `/`")
        }
    }

    /// After the pivot: sysctls, read-only and masked paths, a read-only root, shared propagation.
    func finish() throws(RuntimeError) {
        for (key, value) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            try linux { () throws(SystemCallError) in try system.writeKernelFile(path, value, action: "set sysctl `\(key)`") }
        }
        let rootFD = try linux { () throws(SystemCallError) in
            try system.open("/", flags: BOSUN_O_PATH | O_DIRECTORY | O_CLOEXEC, mode: 0, action: "open `/`")
        }
        let resolver = RootResolver(rootFD: rootFD, rootPath: "", system: system)
        defer { system.close(rootFD) }
        let executor = MountExecutor(resolver: resolver)
        for path in spec.linux?.readonlyPaths ?? [] {
            guard let fd = try? resolver.open(path) else { continue }
            defer { system.close(fd) }
            try executor.call(source: RootResolver.procPath(fd), target: fd, type: nil, flags: BOSUN_MS_BIND | BOSUN_MS_REC, data: nil,
                              action: "bind `\(path)` read-only")
            try executor.remount(path, flags: BOSUN_MS_BIND | BOSUN_MS_RDONLY | system.lockedMountFlags(path), what: "read-only path")
        }
        for path in spec.linux?.maskedPaths ?? [] {
            guard let fd = try? resolver.open(path) else { continue }
            defer { system.close(fd) }
            let info = try linux { () throws(SystemCallError) in try system.status(fd: fd, action: "stat masked path `\(path)`") }
            if info.st_mode & S_IFMT == S_IFDIR {
                try executor.call(source: "tmpfs", target: fd, type: "tmpfs", flags: BOSUN_MS_RDONLY, data: nil, action: "mask `\(path)` with an empty tmpfs")
            } else {
                try executor.call(source: "/dev/null", target: fd, type: nil, flags: BOSUN_MS_BIND, data: nil, action: "mask `\(path)` with /dev/null")
            }
        }
        try linux { () throws(SystemCallError) in
            if spec.root?.readonly == true {
                try system.mount(.call(source: nil, target: "/", type: nil,
                                       flags: BOSUN_MS_REMOUNT | BOSUN_MS_BIND | BOSUN_MS_RDONLY | system.lockedMountFlags("/"), data: nil),
                                 action: "remount `/` read-only")
            }
            if let flags = MountOptions.propagationTable[requestedPropagation], flags & (BOSUN_MS_SHARED | BOSUN_MS_UNBINDABLE) != 0 {
                try system.mount(.call(source: nil, target: "/", type: nil, flags: flags, data: nil), action: "make `/` \(requestedPropagation)")
            }
        }
    }
}
