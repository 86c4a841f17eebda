import CBosunSys
import Foundation

/// A container's root filesystem: overlayfs with an image's snapshots as lower layers and a per-container
/// upper and work directory. Uses `mount(2)` when the options fit its one page, and the new mount API
/// (`fsopen` + `fsconfig("lowerdir+")`, one layer per call) otherwise, which allows hundreds of layers.
public enum OverlayRootfs {
    /// The most bytes of options `mount(2)` takes (a page, less the terminating zero).
    static let pageLimit = 4095

    /// Mounts at `target`; `lowers` are bottom layer first (overlayfs wants the top first).
    public static func mount(lowers: [String], upper: String, work: String, target: String) throws {
        guard !lowers.isEmpty else { throw UnpackError(message: "an overlay needs at least one lower layer") }
        let topFirst = Array(lowers.reversed())
        let options = "lowerdir=\(topFirst.joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        if options.utf8.count <= pageLimit && !topFirst.contains(where: { $0.contains(":") || $0.contains(",") }) {
            guard Glibc.mount("overlay", target, "overlay", 0, options) == 0 else {
                throw UnpackError("mount overlay on \(target)", errno)
            }
            return
        }
        let fs = bosun_fsopen("overlay")
        guard fs >= 0 else { throw UnpackError("fsopen overlay", errno) }
        defer { close(fs) }
        for layer in topFirst {
            guard bosun_fsconfig_string(fs, "lowerdir+", layer) == 0 else { throw UnpackError("overlay lower layer \(layer)", errno) }
        }
        guard bosun_fsconfig_string(fs, "upperdir", upper) == 0, bosun_fsconfig_string(fs, "workdir", work) == 0 else {
            throw UnpackError("overlay upper and work directories", errno)
        }
        guard bosun_fsconfig_create(fs) == 0 else { throw UnpackError("create overlay for \(target)", errno) }
        let mountFD = bosun_fsmount(fs)
        guard mountFD >= 0 else { throw UnpackError("fsmount overlay", errno) }
        defer { close(mountFD) }
        guard bosun_move_mount_to(mountFD, target) == 0 else { throw UnpackError("attach overlay on \(target)", errno) }
    }

    /// Whether something is mounted at `target` (it is on another device than its parent directory). False when
    /// it does not exist.
    public static func isMounted(_ target: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(target, &own) == 0, stat((target as NSString).deletingLastPathComponent, &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Unmounts (detaching, so a busy mount does not block).
    public static func unmount(_ target: String) throws {
        guard umount2(target, Int32(MNT_DETACH)) == 0 || errno == EINVAL || errno == ENOENT else {
            throw UnpackError("unmount \(target)", errno)
        }
    }
}
