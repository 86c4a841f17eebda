import CBosunSys
#if canImport(Glibc)
public import Glibc
#elseif canImport(Musl)
public import Musl
#endif

/// The real `LinuxSystem`: each method one system call (an overlay a few), retried on EINTR.
public struct HostLinux: LinuxSystem {
    public init() {}

    /// The most bytes of options `mount(2)` takes (a page, less the terminating zero).
    public static let mountOptionsLimit = 4095

    public func mount(_ call: MountCall, action: @autoclosure () -> String) throws(SystemCallError) {
        switch call {
        case .call(let source, let target, let type, let flags, let data):
            try SystemCall.check(action()) { Glibc.mount(source, target, type, flags, data) }
        case .overlay(let lowers, let upper, let work, let target):
            try mountOverlay(lowers: lowers, upper: upper, work: work, target: target, action: action())
        }
    }

    /// mount(2) when the options fit its one page, else the new mount API (`fsopen` + `fsconfig("lowerdir+")`,
    /// one layer per call), which allows hundreds of layers and layer paths with `:` or `,`.
    private func mountOverlay(lowers: [String], upper: String, work: String, target: String, action: String) throws(SystemCallError) {
        guard !lowers.isEmpty else { throw SystemCallError(action: action + " (no lower layer)", code: EINVAL) }
        let options = "lowerdir=\(lowers.joined(separator: ":")),upperdir=\(upper),workdir=\(work)"
        if options.utf8.count <= HostLinux.mountOptionsLimit && !lowers.contains(where: { $0.contains(":") || $0.contains(",") }) {
            try SystemCall.check(action) { Glibc.mount("overlay", target, "overlay", 0, options) }
            return
        }
        let fs = try SystemCall.check("\(action): fsopen overlay") { bosun_fsopen("overlay") }
        defer { Glibc.close(fs) }
        for layer in lowers {
            try SystemCall.check("\(action): lower layer \(layer)") { bosun_fsconfig_string(fs, "lowerdir+", layer) }
        }
        try SystemCall.check("\(action): upper directory \(upper)") { bosun_fsconfig_string(fs, "upperdir", upper) }
        try SystemCall.check("\(action): work directory \(work)") { bosun_fsconfig_string(fs, "workdir", work) }
        try SystemCall.check("\(action): create") { bosun_fsconfig_create(fs) }
        let mountFD = try SystemCall.check("\(action): fsmount") { bosun_fsmount(fs) }
        defer { Glibc.close(mountFD) }
        try SystemCall.check(action) { bosun_move_mount_to(mountFD, target) }
    }

    public func unmount(_ target: String, flags: Int32, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { umount2(target, flags) }
    }

    public func pivotRoot(newRoot: String, putOld: String, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { bosun_pivot_root(newRoot, putOld) }
    }

    public func changeRoot(_ path: String, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { chroot(path) }
    }

    public func changeDirectory(_ path: String, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { chdir(path) }
    }

    public func changeDirectory(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { fchdir(fd) }
    }

    public func lockedMountFlags(_ path: String) -> UInt {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return 0 }
        var flags: UInt = 0
        // ST_NOSUID, ST_NODEV, ST_NOEXEC (an enum in the C headers)
        if info.f_flag & UInt(2) != 0 { flags |= BOSUN_MS_NOSUID }
        if info.f_flag & UInt(4) != 0 { flags |= BOSUN_MS_NODEV }
        if info.f_flag & UInt(8) != 0 { flags |= BOSUN_MS_NOEXEC }
        return flags
    }

    public func unshare(_ flags: UInt64, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { bosun_unshare(Int32(truncatingIfNeeded: flags)) }
    }

    public func joinNamespace(fd: Int32, type: UInt64, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { bosun_setns(fd, Int32(truncatingIfNeeded: type)) }
    }

    public func setHostname(_ name: String) throws(SystemCallError) {
        try SystemCall.check("set hostname `\(name)`") { sethostname(name, name.utf8.count) }
    }

    public func setDomainName(_ name: String) throws(SystemCallError) {
        try SystemCall.check("set domainname `\(name)`") { setdomainname(name, name.utf8.count) }
    }

    public func writeKernelFile(_ path: String, _ text: String, action: @autoclosure () -> String) throws(SystemCallError) {
        let fd = try SystemCall.check(action()) { Glibc.open(path, O_WRONLY | O_CLOEXEC | O_TRUNC) }
        defer { Glibc.close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            offset += try SystemCall.check(action()) { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) } }
        }
    }

    public func open(_ path: String, flags: Int32, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) -> Int32 {
        try SystemCall.check(action()) { Glibc.open(path, flags, mode) }
    }

    public func openResolved(in directory: Int32, _ path: String, flags: Int32, resolve: UInt64,
                             action: @autoclosure () -> String) throws(SystemCallError) -> Int32 {
        try SystemCall.check(action()) { bosun_openat2(directory, path, UInt64(UInt32(bitPattern: flags)), 0, resolve) }
    }

    public func makeDirectory(in directory: Int32, _ name: String, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { mkdirat(directory, name, mode) }
    }

    public func createFile(in directory: Int32, _ name: String, mode: Glibc.mode_t, action: @autoclosure () -> String) throws(SystemCallError) {
        let fd = try SystemCall.check(action()) { openat(directory, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode) }
        Glibc.close(fd)
    }

    public func makeNode(in directory: Int32, _ name: String, mode: Glibc.mode_t, device: Glibc.dev_t, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { mknodat(directory, name, mode, device) }
    }

    public func changeOwner(in directory: Int32, _ name: String, uid: Glibc.uid_t, gid: Glibc.gid_t, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { fchownat(directory, name, uid, gid, AT_SYMLINK_NOFOLLOW) }
    }

    public func symlink(_ target: String, in directory: Int32, _ name: String, action: @autoclosure () -> String) throws(SystemCallError) {
        try SystemCall.check(action()) { symlinkat(target, directory, name) }
    }

    public func readLink(in directory: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlinkat(directory, name, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func removeFile(in directory: Int32, _ name: String) {
        _ = unlinkat(directory, name, 0)
    }

    public func status(fd: Int32, action: @autoclosure () -> String) throws(SystemCallError) -> Glibc.stat {
        var info = stat()
        try SystemCall.check(action()) { fstat(fd, &info) }
        return info
    }

    public func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
