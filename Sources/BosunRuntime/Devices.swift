import BosunLinux
import BosunOCI
import CBosunSys
import Glibc

/// Device nodes and the standard /dev symlinks, created inside the root through `RootResolver`.
struct DeviceMaker {
    let resolver: RootResolver
    var system: any LinuxSystem { resolver.system }

    static let symlinks: [(String, String)] = [
        ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
        ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"),
    ]

    /// Creates `device` with mknod, or, where mknod is not allowed, binds the host's node onto an empty file.
    func create(_ device: RuntimeSpec.Device) throws(RuntimeError) {
        let (parent, name) = RootResolver.split(RootResolver.normalize(device.path))
        let parentFD = try resolver.ensure(parent, directory: true)
        defer { system.close(parentFD) }
        let kind: mode_t
        switch device.type {
        case "c", "u": kind = S_IFCHR
        case "b": kind = S_IFBLK
        case "p": kind = S_IFIFO
        default: throw RuntimeError("create device `\(device.path)`", detail: "unknown device type `\(device.type)`")
        }
        let number = DeviceMaker.makedev(UInt64(device.major ?? 0), UInt64(device.minor ?? 0))
        let mode = kind | mode_t(device.fileMode ?? 0o666) & 0o7777
        system.removeFile(in: parentFD, name)
        do {
            try system.makeNode(in: parentFD, name, mode: mode, device: number, action: "mknod `\(resolver.display(device.path))`")
        } catch {
            guard error.code == EPERM else { throw RuntimeError(error) }
            let target = try resolver.ensure(device.path, directory: false)
            defer { system.close(target) }
            try MountExecutor(resolver: resolver).call(source: device.path, target: target, type: nil, flags: BOSUN_MS_BIND, data: nil,
                                                       action: "bind mount device `\(device.path)` on `\(resolver.display(device.path))`")
            return
        }
        try linux { () throws(SystemCallError) in
            try system.changeOwner(in: parentFD, name, uid: device.uid ?? 0, gid: device.gid ?? 0, action: "chown `\(resolver.display(device.path))`")
        }
    }

    func createSymlinks() throws(RuntimeError) {
        for (target, path) in DeviceMaker.symlinks {
            let (parent, name) = RootResolver.split(path)
            let parentFD = try resolver.ensure(parent, directory: true)
            defer { system.close(parentFD) }
            if name == "ptmx" { system.removeFile(in: parentFD, name) }
            do {
                try system.symlink(target, in: parentFD, name, action: "symlink `\(resolver.display(path))` to `\(target)`")
            } catch where error.code != EEXIST {
                throw RuntimeError(error)
            } catch {}
        }
    }

    /// The kernel's dev_t encoding (glibc's `makedev` is a macro).
    static func makedev(_ major: UInt64, _ minor: UInt64) -> dev_t {
        dev_t(((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff))
    }
}
