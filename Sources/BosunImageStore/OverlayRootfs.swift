public import BosunLinux
import Foundation

/// A container's root filesystem: overlayfs with an image's snapshots as lower layers and a per-container
/// upper and work directory, mounted by the Linux layer (`MountCall.overlay`: mount(2) when the options fit
/// its one page, the new mount API otherwise, which allows hundreds of layers).
public enum OverlayRootfs {
    /// Mounts at `target`; `lowers` are bottom layer first (overlayfs wants the top first).
    public static func mount(lowers: [String], upper: String, work: String, target: String, system: any LinuxSystem = HostLinux()) throws {
        guard !lowers.isEmpty else { throw UnpackError(message: "an overlay needs at least one lower layer") }
        do {
            try system.mount(.overlay(lowers: lowers.reversed(), upper: upper, work: work, target: target), action: "mount overlay on \(target)")
        } catch {
            throw UnpackError(message: error.description)
        }
    }

    /// Whether something is mounted at `target` (it is on another device than its parent directory). False when
    /// it does not exist.
    public static func isMounted(_ target: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(target, &own) == 0, stat((target as NSString).deletingLastPathComponent, &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Unmounts (detaching, so a busy mount does not block); nothing mounted there is not an error.
    public static func unmount(_ target: String, system: any LinuxSystem = HostLinux()) throws {
        do {
            try system.unmount(target, flags: Int32(MNT_DETACH), action: "unmount \(target)")
        } catch where error.code == EINVAL || error.code == ENOENT {
            return
        } catch {
            throw UnpackError(message: error.description)
        }
    }
}
