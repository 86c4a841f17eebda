#if canImport(Glibc)
public import Glibc
#elseif canImport(Musl)
public import Musl
#endif

/// Whole-file replacement, the one implementation: `path.tmp` written (with `mode`), then renamed over
/// `path`, so readers see the old file or the new one, never a mix. `durable` (state that must survive a
/// crash) syncs the file before the rename and the directory after; without it (the runtime's state on
/// /run's tmpfs, rewritten on every start) nothing is synced.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, durable: Bool = true) throws(SystemCallError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemCallError("open", temporary, errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let code = written == 0 ? ENOSPC : errno
                close(fd)
                unlink(temporary)
                throw SystemCallError("write", temporary, code)
            }
            offset += written
        }
        fchmod(fd, mode)
        if durable && fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw SystemCallError("fsync", temporary, code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SystemCallError("rename \(temporary) to", path, code)
        }
        guard durable, let slash = path.lastIndex(of: "/") else { return }
        let directory = open(slash == path.startIndex ? "/" : String(path[..<slash]), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
