#if canImport(Glibc)
public import Glibc
#elseif canImport(Musl)
public import Musl
#endif

/// The system calls that change a process's mounts, root, namespaces and identity, and the file calls a
/// container's root is built with: `HostLinux` makes them, a recording fake (BosunTestSupport) records the
/// privileged ones so that the order of a container's mounts and pivot is tested without root. Every call
/// retries EINTR and throws a `SystemCallError` naming `action`. `scripts/check-linux-calls` fails when a file
/// outside this target calls mount, umount, setns, unshare, pivot_root or chroot itself.
public protocol LinuxSystem: Sendable {
    // Mounts and the root
    func mount(_ call: MountCall, action: @autoclosure () -> String) throws(SystemCallError)
    func unmount(_ target: String, flags: Int32, action: @autoclosure () -> String) throws(SystemCallError)
    func pivotRoot(newRoot: String, putOld: String, action: @autoclosure () -> String) throws(SystemCallError)
    func changeRoot(_ path: String, action: @autoclosure () -> String) throws(SystemCallError)
    func changeDirectory(_ path: String, action: @autoclosure () -> String) throws(SystemCallError)
    func changeDirectory(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError)
    /// nosuid/nodev/noexec of the mount at `path` as MS_* flags (kept on a remount); 0 when unknown.
    func lockedMountFlags(_ path: String) -> UInt

    // Namespaces and identity
    func unshare(_ flags: UInt64, action: @autoclosure () -> String) throws(SystemCallError)
    func joinNamespace(fd: Int32, type: UInt64, action: @autoclosure () -> String) throws(SystemCallError)
    func setHostname(_ name: String) throws(SystemCallError)
    func setDomainName(_ name: String) throws(SystemCallError)
    /// Replaces the contents of a kernel file (`/proc/sys/…`, `/proc/self/oom_score_adj`): no create, no rename.
    func writeKernelFile(_ path: String, _ text: String, action: @autoclosure () -> String) throws(SystemCallError)

    // Files, relative to directory descriptors
    func open(_ path: String, flags: Int32, mode: mode_t, action: @autoclosure () -> String) throws(SystemCallError) -> Int32
    /// openat2(2) with RESOLVE_* flags: lookups that cannot leave `directory`.
    func openResolved(in directory: Int32, _ path: String, flags: Int32, resolve: UInt64,
                      action: @autoclosure () -> String) throws(SystemCallError) -> Int32
    func makeDirectory(in directory: Int32, _ name: String, mode: mode_t, action: @autoclosure () -> String) throws(SystemCallError)
    /// Creates an empty file that must not exist yet (O_EXCL, no symlink followed).
    func createFile(in directory: Int32, _ name: String, mode: mode_t, action: @autoclosure () -> String) throws(SystemCallError)
    func makeNode(in directory: Int32, _ name: String, mode: mode_t, device: dev_t, action: @autoclosure () -> String) throws(SystemCallError)
    func changeOwner(in directory: Int32, _ name: String, uid: uid_t, gid: gid_t, action: @autoclosure () -> String) throws(SystemCallError)
    func symlink(_ target: String, in directory: Int32, _ name: String, action: @autoclosure () -> String) throws(SystemCallError)
    func readLink(in directory: Int32, _ name: String) -> String?
    /// Removes a file if it is there (a missing one is not an error).
    func removeFile(in directory: Int32, _ name: String)
    func status(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError) -> stat
    func close(_ fd: Int32)
}
