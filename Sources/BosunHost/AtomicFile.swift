import Foundation

/// Whole-file replacement that survives a crash: a 0600 temporary file, `fsync`, `rename`, then `fsync` of
/// the directory, so readers see the old file or the new one, never a mix.
public enum AtomicFile {
    /// Replaces `path` with `bytes` (mode 0600).
    public static func write(_ bytes: [UInt8], to path: String) throws(HostError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw HostError("open \(temporary) for writing", errno: errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let code = errno
                close(fd)
                throw HostError("write \(temporary)", errno: code)
            }
            offset += written
        }
        fchmod(fd, 0o600)
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw HostError("fsync \(temporary)", errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw HostError("rename \(temporary) to \(path)", errno: errno) }
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
