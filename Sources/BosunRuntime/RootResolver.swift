import BosunLinux
import CBosunSys
import Glibc

/// Looks paths up inside a container's root filesystem without ever leaving it: every lookup is
/// openat2(RESOLVE_IN_ROOT) from the root's descriptor, so `..` and absolute symlinks in the image resolve
/// against the rootfs, not the host (the CVE-2021-30465 class). Missing mount points are created one
/// component at a time with `mkdirat` on descriptors obtained the same way.
struct RootResolver {
    /// An BOSUN_O_PATH descriptor of the rootfs.
    let rootFD: Int32
    /// The rootfs path on the host, for messages.
    let rootPath: String
    /// The calls it makes (the host's, or a recording fake).
    let system: any LinuxSystem

    static let resolve = BOSUN_RESOLVE_IN_ROOT | BOSUN_RESOLVE_NO_MAGICLINKS

    /// Opens `path` (inside the root) with `flags` (BOSUN_O_PATH by default).
    func open(_ path: String, flags: Int32 = BOSUN_O_PATH) throws(RuntimeError) -> Int32 {
        try linux { () throws(SystemCallError) in
            try system.openResolved(in: rootFD, RootResolver.relative(path), flags: flags | O_CLOEXEC, resolve: RootResolver.resolve,
                                    action: "open `\(display(path))`")
        }
    }

    /// The host path of `path` for messages (`/…/rootfs/proc`).
    func display(_ path: String) -> String {
        rootPath + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// `/proc/self/fd/N`, the name under which a descriptor is mounted on or over.
    static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }

    /// Opens `path`, creating it (a directory, or an empty file) and any missing parents inside the root.
    /// A dangling symlink is followed inside the root and its target created there.
    func ensure(_ path: String, directory: Bool, depth: Int = 0) throws(RuntimeError) -> Int32 {
        guard depth < 40 else { throw RuntimeError("create mount point `\(display(path))`", errno: ELOOP) }
        let clean = RootResolver.normalize(path)
        do {
            return try open(clean)
        } catch where error.errno == ENOENT {
            // fall through and create it
        }
        let (parent, name) = RootResolver.split(clean)
        let parentFD = try ensure(parent, directory: true, depth: depth + 1)
        defer { system.close(parentFD) }
        let step = "create mount point `\(display(clean))`"
        do {
            if directory {
                try system.makeDirectory(in: parentFD, name, mode: 0o755, action: step)
            } else {
                try system.createFile(in: parentFD, name, mode: 0o644, action: step)
            }
        } catch {
            guard error.code == EEXIST else { throw RuntimeError(error) }
            // It exists but did not resolve: a dangling symlink. Create its target, still inside the root.
            if let link = system.readLink(in: parentFD, name) {
                let target = link.hasPrefix("/") ? link : parent + "/" + link
                return try ensure(target, directory: directory, depth: depth + 1)
            }
        }
        return try open(clean)
    }

    static func relative(_ path: String) -> String {
        let trimmed = path.drop { $0 == "/" }
        return trimmed.isEmpty ? "." : String(trimmed)
    }

    static func normalize(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        var parts = path.split(separator: "/").map(String.init)
        let name = parts.popLast() ?? "."
        return ("/" + parts.joined(separator: "/"), name)
    }
}
