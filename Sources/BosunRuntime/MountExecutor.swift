import CBosunSys
import Glibc

/// Performs `Mount` values inside a container's root: the one place mount(2) is called for them. Every
/// target is opened with `RootResolver` and mounted on `/proc/self/fd/N`, never by a path string.
struct MountExecutor {
    let resolver: RootResolver

    func perform(_ mount: Mount) throws(RuntimeError) {
        let where_ = resolver.display(mount.destination)
        switch mount.kind {
        case .bind(let recursive):
            let sourceFD = try Sys.open(mount.source, flags: BOSUN_O_PATH | O_CLOEXEC, step: "bind mount source `\(mount.source)`")
            defer { Sys.close(sourceFD) }
            let info = try Sys.fstat(sourceFD, step: "stat `\(mount.source)`")
            let target = try resolver.ensure(mount.destination, directory: info.st_mode & S_IFMT == S_IFDIR)
            defer { Sys.close(target) }
            let flags = BOSUN_MS_BIND | (recursive ? BOSUN_MS_REC : 0)
            try Sys.mount(source: RootResolver.procPath(sourceFD), target: RootResolver.procPath(target), type: nil, flags: flags,
                          data: nil, step: "bind mount `\(mount.source)` on `\(where_)`")
            if mount.needsRemount {
                try remount(mount.destination, flags: BOSUN_MS_BIND | mount.flags, what: "`\(mount.source)`")
            }
        case .filesystem(let type, let data):
            let target = try resolver.ensure(mount.destination, directory: true)
            defer { Sys.close(target) }
            try Sys.mount(source: mount.source, target: RootResolver.procPath(target), type: type, flags: mount.flags,
                          data: data.isEmpty ? nil : data, step: "mount `\(type)` on `\(where_)`")
        case .cgroup:
            let target = try resolver.ensure(mount.destination, directory: true)
            defer { Sys.close(target) }
            if MountExecutor.hostCgroupIsUnified {
                try Sys.mount(source: "cgroup2", target: RootResolver.procPath(target), type: "cgroup2", flags: mount.flags, data: nil,
                              step: "mount `cgroup2` on `\(where_)`")
            } else {
                // A hybrid or v1 host: an empty tmpfs stands in (bosun does not expose v1 hierarchies).
                try Sys.mount(source: "cgroup", target: RootResolver.procPath(target), type: "tmpfs", flags: mount.flags,
                              data: "mode=755,size=0", step: "mount `tmpfs` for cgroup on `\(where_)`")
            }
        }
        for change in mount.propagation {
            let target = try resolver.open(mount.destination)
            defer { Sys.close(target) }
            try Sys.mount(source: nil, target: RootResolver.procPath(target), type: nil, flags: change, data: nil,
                          step: "set propagation of `\(where_)`")
        }
    }

    /// Remounts the (top) mount at `path` with `flags`; the target is opened afresh so that it names the
    /// new mount rather than the directory beneath it.
    func remount(_ path: String, flags: UInt, what: String) throws(RuntimeError) {
        let target = try resolver.open(path)
        defer { Sys.close(target) }
        try Sys.mount(source: nil, target: RootResolver.procPath(target), type: nil, flags: BOSUN_MS_REMOUNT | flags, data: nil,
                      step: "remount \(what) on `\(resolver.display(path))`")
    }

    static var hostCgroupIsUnified: Bool { access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 }
}
