import Foundation

/// Whether a state directory can be trusted before bosun reads or writes it. Everything bosun acts on as root
/// lives there (images and their snapshots, bundles, the journal, the git mirror), so whoever can write the
/// directory, or replace it through a parent, can make bosun run what they like. Refused, with the fix:
/// a state directory not owned by this user (root), or writable by its group or others; a parent (up to `/`)
/// owned by another user, or writable by its group or others unless it is root-owned with the sticky bit
/// (`/tmp`, `/var/tmp`: others cannot rename or remove what root owns there). A directory only readable by
/// others is tightened to 0700 when bosun first writes it, as before.
public enum StateDirectorySafety {
    /// What is wrong with `path` as a state directory (which need not exist yet), or nil when it is safe.
    public static func problem(for path: String) -> String? {
        let user = geteuid()
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                return "state directory \(path) is not a directory; choose another path with --state-dir"
            }
            if info.st_uid != user {
                return "state directory \(path) is owned by uid \(info.st_uid), not by uid \(user) that runs bosun: whoever owns it can "
                    + "plant what bosun runs as root; fix: chown \(user):\(user) \(path) && chmod 0700 \(path) (if you trust its content)"
            }
            if info.st_mode & 0o022 != 0 {
                return "state directory \(path) is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode))): they can plant images, "
                    + "bundles or journal records bosun trusts; fix: chmod 0700 \(path) (if you trust its content)"
            }
        }
        // The parents of the real path: the deepest one that exists, resolved, and each above it.
        var existing = (path as NSString).deletingLastPathComponent
        if stat(path, &info) == 0 { existing = path }
        while !existing.isEmpty && existing != "/" && stat(existing, &info) != 0 {
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let real = realpath(existing.isEmpty ? "/" : existing, nil) else { return nil }
        var parent = String(cString: real)
        free(real)
        if existing == path { parent = (parent as NSString).deletingLastPathComponent }
        while true {
            if stat(parent, &info) == 0 {
                let sticky = info.st_mode & S_ISVTX != 0
                if info.st_uid != 0 && info.st_uid != user {
                    return "state directory \(path): its parent \(parent) is owned by uid \(info.st_uid), who can replace the state "
                        + "directory; fix: choose a state directory whose parents root owns (e.g. /var/lib/bosun)"
                }
                if info.st_mode & 0o022 != 0 && !(sticky && info.st_uid == 0) {
                    return "state directory \(path): its parent \(parent) is writable by \(writers(info.st_mode)) (mode \(octal(info.st_mode))) "
                        + "without being a root-owned sticky directory like /tmp, so they can replace the state directory; fix: "
                        + "chmod go-w \(parent), or choose another place"
                }
            }
            if parent == "/" || parent.isEmpty { return nil }
            parent = (parent as NSString).deletingLastPathComponent
        }
    }

    static func writers(_ mode: mode_t) -> String {
        switch (mode & 0o020 != 0, mode & 0o002 != 0) {
        case (true, true): return "its group and others"
        case (true, false): return "its group"
        default: return "others"
        }
    }

    static func octal(_ mode: mode_t) -> String { "0" + String(mode & 0o7777, radix: 8) }
}
