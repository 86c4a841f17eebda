import BosunLinux
import CBosunSys
import Glibc

/// Performs `Mount` values inside a container's root: each becomes `MountCall`s of the Linux layer. Every
/// target is opened with `RootResolver` and mounted on `/proc/self/fd/N`, never by a path string.
struct MountExecutor {
    let resolver: RootResolver
    var system: any LinuxSystem { resolver.system }

    func perform(_ mount: Mount) throws(RuntimeError) {
        let where_ = resolver.display(mount.destination)
        switch mount.kind {
        case .bind(let recursive):
            let sourceFD = try linux { () throws(SystemCallError) in
                try system.open(mount.source, flags: BOSUN_O_PATH | O_CLOEXEC, mode: 0, action: "bind mount source `\(mount.source)`")
            }
            defer { system.close(sourceFD) }
            let info = try linux { () throws(SystemCallError) in try system.status(fd: sourceFD, action: "stat `\(mount.source)`") }
            let target = try resolver.ensure(mount.destination, directory: info.st_mode & S_IFMT == S_IFDIR)
            defer { system.close(target) }
            let flags = BOSUN_MS_BIND | (recursive ? BOSUN_MS_REC : 0)
            try call(source: RootResolver.procPath(sourceFD), target: target, type: nil, flags: flags, data: nil,
                     action: "bind mount `\(mount.source)` on `\(where_)`")
            if mount.needsRemount {
                try remount(mount.destination, flags: BOSUN_MS_BIND | mount.flags, what: "`\(mount.source)`")
            }
        case .filesystem(let type, let data):
            let target = try resolver.ensure(mount.destination, directory: true)
            defer { system.close(target) }
            try call(source: mount.source, target: target, type: type, flags: mount.flags, data: data.isEmpty ? nil : data,
                     action: "mount `\(type)` on `\(where_)`")
        case .cgroup:
            let target = try resolver.ensure(mount.destination, directory: true)
            defer { system.close(target) }
            if MountExecutor.hostCgroupIsUnified {
                try call(source: "cgroup2", target: target, type: "cgroup2", flags: mount.flags, data: nil, action: "mount `cgroup2` on `\(where_)`")
            } else {
                // A hybrid or v1 host: an empty tmpfs stands in (bosun does not expose v1 hierarchies).
                try call(source: "cgroup", target: target, type: "tmpfs", flags: mount.flags, data: "mode=755,size=0",
                         action: "mount `tmpfs` for cgroup on `\(where_)`")
            }
        }
        for change in mount.propagation {
            let target = try resolver.open(mount.destination)
            defer { system.close(target) }
            try call(source: nil, target: target, type: nil, flags: change, data: nil, action: "set propagation of `\(where_)`")
        }
    }

    /// Remounts the (top) mount at `path` with `flags`; the target is opened afresh so that it names the
    /// new mount rather than the directory beneath it.
    func remount(_ path: String, flags: UInt, what: String) throws(RuntimeError) {
        let target = try resolver.open(path)
        defer { system.close(target) }
        try call(source: nil, target: target, type: nil, flags: BOSUN_MS_REMOUNT | flags, data: nil,
                 action: "remount \(what) on `\(resolver.display(path))`")
    }

    /// One mount(2) on the open descriptor `target`.
    func call(source: String?, target: Int32, type: String?, flags: UInt, data: String?, action: @autoclosure () -> String) throws(RuntimeError) {
        try linux { () throws(SystemCallError) in
            try system.mount(.call(source: source, target: RootResolver.procPath(target), type: type, flags: flags, data: data), action: action())
        }
    }

    static var hostCgroupIsUnified: Bool { access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 }
}
