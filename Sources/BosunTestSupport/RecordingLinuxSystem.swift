public import BosunLinux
import CBosunSys
import Foundation
public import Glibc

/// A `LinuxSystem` that records what changes mounts, the root, namespaces and kernel files instead of doing
/// it, and makes the unprivileged file calls for real (on a temporary directory standing for the host), so
/// that a container's mount and pivot order is tested without root. Paths in `calls` read as the process
/// would see them: under `host` before a pivot or chroot (with `host` cut off), under the new root after.
public final class RecordingLinuxSystem: LinuxSystem, @unchecked Sendable {
    private let lock = NSLock()
    private let real = HostLinux()
    private let host: String
    private var root = "/"
    private var directory = "/"
    private var recorded: [String] = []
    /// pivot_root fails with EINVAL, as on a ramfs root (the runtime then moves the root and chroots).
    public var pivotFails = false

    /// `host` is the directory the recorded paths are shown relative to (a test's temporary directory).
    public init(host: String) {
        self.host = host.hasSuffix("/") ? String(host.dropLast()) : host
    }

    /// What was done, in order: "mount proc on /rootfs/proc type proc nosuid,nodev,noexec".
    public var calls: [String] { lock.withLock { recorded } }

    private func record(_ call: String) { lock.withLock { recorded.append(call) } }

    /// The real path of `path`: a `/proc/self/fd/N` name read back, `.` the current directory, an absolute
    /// path under the current root.
    private func realPath(_ path: String) -> String {
        if path.hasPrefix("/proc/self/fd/"), let link = real.readLink(in: AT_FDCWD, path) { return link }
        let (root, directory) = lock.withLock { (self.root, self.directory) }
        if path == "." { return directory }
        if path.hasPrefix("/") { return root == "/" ? path : root + (path == "/" ? "" : path) }
        return directory + "/" + path
    }

    /// `path` as the recording shows it.
    private func shown(_ path: String) -> String {
        let real = realPath(path)
        let base = lock.withLock { root == "/" ? host : root }
        if real == base { return "/" }
        return real.hasPrefix(base + "/") ? String(real.dropFirst(base.count)) : real
    }

    private static let flagNames: [(UInt, String)] = [
        (BOSUN_MS_RDONLY, "ro"), (BOSUN_MS_NOSUID, "nosuid"), (BOSUN_MS_NODEV, "nodev"), (BOSUN_MS_NOEXEC, "noexec"),
        (BOSUN_MS_REMOUNT, "remount"), (BOSUN_MS_BIND, "bind"), (BOSUN_MS_MOVE, "move"), (BOSUN_MS_REC, "rec"),
        (BOSUN_MS_PRIVATE, "private"), (BOSUN_MS_SLAVE, "slave"), (BOSUN_MS_SHARED, "shared"), (BOSUN_MS_UNBINDABLE, "unbindable"),
        (BOSUN_MS_RELATIME, "relatime"), (BOSUN_MS_STRICTATIME, "strictatime"), (BOSUN_MS_NOATIME, "noatime"),
    ]

    /// MS_* bits by name, in a fixed order: "bind,rec".
    public static func names(_ flags: UInt) -> String {
        let names = flagNames.filter { flags & $0.0 != 0 }.map(\.1)
        let rest = flags & ~flagNames.reduce(0) { $0 | $1.0 }
        return (names + (rest == 0 ? [] : ["0x" + String(rest, radix: 16)])).joined(separator: ",")
    }

    public func mount(_ call: MountCall, action: @autoclosure () -> String) throws(SystemCallError) {
        switch call {
        case .call(let source, let target, let type, let flags, let data):
            var text = "mount \(source.map { $0.hasPrefix("/") || $0 == "." ? shown($0) : $0 } ?? "-") on \(shown(target))"
            if let type { text += " type \(type)" }
            if flags != 0 { text += " " + RecordingLinuxSystem.names(flags) }
            if let data { text += " data \(data)" }
            record(text)
        case .overlay(let lowers, let upper, let work, let target):
            record("overlay on \(shown(target)) lower \(lowers.map(shown).joined(separator: ":")) upper \(shown(upper)) work \(shown(work))")
        }
    }

    public func unmount(_ target: String, flags: Int32, action: @autoclosure () -> String) throws(SystemCallError) {
        record("umount \(shown(target))" + (flags & Int32(MNT_DETACH) != 0 ? " detach" : ""))
    }

    public func pivotRoot(newRoot: String, putOld: String, action: @autoclosure () -> String) throws(SystemCallError) {
        if pivotFails { throw SystemCallError(action: action(), code: EINVAL) }
        let new = realPath(newRoot)
        record("pivot_root \(shown(newRoot))")
        lock.withLock { root = new }
    }

    public func changeRoot(_ path: String, action: @autoclosure () -> String) throws(SystemCallError) {
        let new = realPath(path)
        record("chroot \(shown(path))")
        lock.withLock { root = new }
    }

    public func changeDirectory(_ path: String, action: @autoclosure () -> String) throws(SystemCallError) {
        let new = realPath(path)
        lock.withLock { directory = new }
        record("chdir \(shown(path))")
    }

    public func changeDirectory(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError) {
        let path = RecordingLinuxSystem.procPath(fd)
        let new = realPath(path)
        lock.withLock { directory = new }
        record("chdir \(shown(path))")
    }

    public func lockedMountFlags(_ path: String) -> UInt { 0 }

    public func unshare(_ flags: UInt64, action: @autoclosure () -> String) throws(SystemCallError) {
        record("unshare 0x" + String(flags, radix: 16))
    }

    public func joinNamespace(fd: Int32, type: UInt64, action: @autoclosure () -> String) throws(SystemCallError) {
        record("setns \(realPath(RecordingLinuxSystem.procPath(fd)))")
    }

    public func setHostname(_ name: String) throws(SystemCallError) { record("hostname \(name)") }

    public func setDomainName(_ name: String) throws(SystemCallError) { record("domainname \(name)") }

    public func writeKernelFile(_ path: String, _ text: String, action: @autoclosure () -> String) throws(SystemCallError) {
        record("write \(path) \(text)")
    }

    public func open(_ path: String, flags: Int32, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) -> Int32 {
        try real.open(realPath(path), flags: flags, mode: mode, action: action())
    }

    public func openResolved(in directory: Int32, _ path: String, flags: Int32, resolve: UInt64,
                             action: @autoclosure () -> String) throws(SystemCallError) -> Int32 {
        try real.openResolved(in: directory, path, flags: flags, resolve: resolve, action: action())
    }

    public func makeDirectory(in directory: Int32, _ name: String, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) {
        try real.makeDirectory(in: directory, name, mode: mode, action: action())
    }

    public func createFile(in directory: Int32, _ name: String, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) {
        try real.createFile(in: directory, name, mode: mode, action: action())
    }

    /// Recorded, and an empty file stands for the node (creating devices needs root).
    public func makeNode(in directory: Int32, _ name: String, mode: Glibc.mode_t, device: Glibc.dev_t, action: @autoclosure () -> String) throws(SystemCallError) {
        record("mknod \(shown(RecordingLinuxSystem.procPath(directory)))/\(name) 0\(String(mode & 0o7777, radix: 8))")
        try real.createFile(in: directory, name, mode: 0o600, action: action())
    }

    public func changeOwner(in directory: Int32, _ name: String, uid: Glibc.uid_t, gid: Glibc.gid_t, action: @autoclosure () -> String) throws(SystemCallError) {
        record("chown \(shown(RecordingLinuxSystem.procPath(directory)))/\(name) \(uid):\(gid)")
    }

    public func symlink(_ target: String, in directory: Int32, _ name: String, action: @autoclosure () -> String) throws(SystemCallError) {
        try real.symlink(target, in: directory, name, action: action())
        record("symlink \(shown(RecordingLinuxSystem.procPath(directory)))/\(name) -> \(target)")
    }

    public func readLink(in directory: Int32, _ name: String) -> String? { real.readLink(in: directory, name) }

    public func removeFile(in directory: Int32, _ name: String) { real.removeFile(in: directory, name) }

    public func status(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError) -> Glibc.stat {
        try real.status(fd: fd, action: action())
    }

    public func close(_ fd: Int32) { real.close(fd) }

    private static func procPath(_ fd: Int32) -> String { "/proc/self/fd/\(fd)" }
}
