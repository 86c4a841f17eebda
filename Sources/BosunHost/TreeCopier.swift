import CBosunSys
import Foundation

/// Copies a directory tree from one open directory to another, never following a symlink: every entry is
/// opened relative to its parent's fd with `O_NOFOLLOW`, symlinks are copied as symlinks (their text, not
/// what they point to). Owners, modes and times are kept; sockets are skipped.
struct TreeCopier {
    /// Copies the entries of `source` into `destination`, then gives `destination` the owner, mode and
    /// times of `source`.
    static func copyContents(of source: Int32, into destination: Int32, path: String) throws(HostError) {
        for name in try entries(of: source, path: path) {
            try copy(name, from: source, to: destination, path: path + "/" + name)
        }
        var info = stat()
        guard fstat(source, &info) == 0 else { throw HostError("stat \(path)", errno: errno) }
        try applyMetadata(fd: destination, info, path: path)
    }

    static func copy(_ name: String, from source: Int32, to destination: Int32, path: String) throws(HostError) {
        var info = stat()
        guard fstatat(source, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw HostError("stat \(path)", errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            guard mkdirat(destination, name, 0o700) == 0 else { throw HostError("create directory \(path)", errno: errno) }
            let from = openat(source, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard from >= 0 else { throw HostError("open \(path)", errno: errno) }
            defer { close(from) }
            let to = openat(destination, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard to >= 0 else { throw HostError("open the copy of \(path)", errno: errno) }
            defer { close(to) }
            try copyContents(of: from, into: to, path: path)
        case S_IFREG:
            let from = openat(source, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard from >= 0 else { throw HostError("open \(path)", errno: errno) }
            defer { close(from) }
            let to = openat(destination, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard to >= 0 else { throw HostError("create the copy of \(path)", errno: errno) }
            defer { close(to) }
            try copyBytes(from: from, to: to, path: path)
            try applyMetadata(fd: to, info, path: path)
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlinkat(source, name, &buffer, Int(PATH_MAX))
            guard length >= 0 else { throw HostError("read symlink \(path)", errno: errno) }
            let target = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard symlinkat(target, destination, name) == 0 else { throw HostError("create symlink \(path)", errno: errno) }
            guard fchownat(destination, name, info.st_uid, info.st_gid, AT_SYMLINK_NOFOLLOW) == 0 else { throw HostError("chown \(path)", errno: errno) }
            var times = [info.st_atim, info.st_mtim]
            _ = utimensat(destination, name, &times, AT_SYMLINK_NOFOLLOW)
        case S_IFCHR, S_IFBLK, S_IFIFO:
            guard mknodat(destination, name, info.st_mode, info.st_rdev) == 0 else { throw HostError("create device \(path)", errno: errno) }
            guard fchownat(destination, name, info.st_uid, info.st_gid, AT_SYMLINK_NOFOLLOW) == 0,
                  fchmodat(destination, name, info.st_mode & 0o7777, 0) == 0 else {
                throw HostError("set owner and mode of \(path)", errno: errno)
            }
        default:
            return  // sockets belong to the process that made them
        }
    }

    static func copyBytes(from: Int32, to: Int32, path: String) throws(HostError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw HostError("read \(path)", errno: errno) }
            if count == 0 { return }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(to, $0.baseAddress! + offset, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw HostError("write the copy of \(path)", errno: errno) }
                offset += written
            }
        }
    }

    /// Owner, then mode (chown clears setuid bits), then times.
    static func applyMetadata(fd: Int32, _ info: stat, path: String) throws(HostError) {
        guard fchown(fd, info.st_uid, info.st_gid) == 0 else { throw HostError("chown \(path)", errno: errno) }
        guard fchmod(fd, info.st_mode & 0o7777) == 0 else { throw HostError("chmod \(path)", errno: errno) }
        var times = [info.st_atim, info.st_mtim]
        guard futimens(fd, &times) == 0 else { throw HostError("set times of \(path)", errno: errno) }
    }

    /// The names in an open directory, without `.` and `..`.
    static func entries(of fd: Int32, path: String) throws(HostError) -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else { throw HostError("list \(path)", errno: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let item = readdir(stream) {
            let name = withUnsafePointer(to: item.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes everything below an open directory, without following symlinks.
    static func removeContents(of fd: Int32, path: String) throws(HostError) {
        for name in try entries(of: fd, path: path) {
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw HostError("open \(path)/\(name)", errno: errno) }
                do {
                    try removeContents(of: child, path: path + "/" + name)
                } catch {
                    close(child)
                    throw error
                }
                close(child)
                guard unlinkat(fd, name, AT_REMOVEDIR) == 0 else { throw HostError("remove \(path)/\(name)", errno: errno) }
            } else {
                guard unlinkat(fd, name, 0) == 0 else { throw HostError("remove \(path)/\(name)", errno: errno) }
            }
        }
    }
}
