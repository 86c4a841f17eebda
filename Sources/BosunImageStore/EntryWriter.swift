import BosunArchive
import CBosunSys
import Foundation

/// Creates files, directories, links and device nodes below a root directory fd, symlink-safely.
struct EntryWriter {
    let root: Int32
    /// Parent directories opened so far, by path.
    var directories: [String: Int32] = [:]

    init(root: Int32) { self.root = root }

    mutating func closeAll() {
        for fd in directories.values { close(fd) }
        directories = [:]
    }

    /// The directory at `path`, created (0755) when missing. Fails on a symlink or a non-directory in the path.
    mutating func directory(_ path: String, create: Bool = true) throws -> Int32 {
        if path.isEmpty { return root }
        if let fd = directories[path] { return fd }
        let (parentPath, name) = LayerOperation.split(path)
        let parent = try directory(parentPath, create: create)
        var fd = open(name, in: parent)
        if fd < 0 && errno == ENOENT && create {
            guard mkdirat(parent, name, 0o755) == 0 || errno == EEXIST else { throw UnpackError("create directory \(path)", errno) }
            fd = open(name, in: parent)
        }
        guard fd >= 0 else {
            if errno == ELOOP || errno == EXDEV {
                throw UnpackError(message: "\(path) is a symlink: a layer may not write through it (refusing the layer)")
            }
            throw UnpackError("open directory \(path)", errno)
        }
        directories[path] = fd
        return fd
    }

    private func open(_ name: String, in parent: Int32) -> Int32 {
        Int32(bosun_openat2(parent, name, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), 0,
                            BOSUN_RESOLVE_BENEATH | BOSUN_RESOLVE_NO_SYMLINKS | BOSUN_RESOLVE_NO_MAGICLINKS))
    }

    /// Removes whatever is at `name` (a later entry replaces an earlier one); a directory only when `directoryToo`.
    private mutating func clear(_ name: String, in parent: Int32, path: String, keepDirectory: Bool) throws {
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if keepDirectory { return }
            try removeTree(name, in: parent, path: path)
            return
        }
        guard unlinkat(parent, name, 0) == 0 else { throw UnpackError("replace \(path)", errno) }
    }

    private mutating func removeTree(_ name: String, in parent: Int32, path: String) throws {
        for (cached, fd) in directories where cached == path || cached.hasPrefix(path + "/") {
            close(fd)
            directories[cached] = nil
        }
        let fd = open(name, in: parent)
        guard fd >= 0 else { throw UnpackError("open \(path)", errno) }
        defer { close(fd) }
        guard let stream = fdopendir(dup(fd)) else { throw UnpackError("list \(path)", errno) }
        var names: [String] = []
        while let item = readdir(stream) {
            let child = withUnsafePointer(to: item.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: 256) { String(decoding: UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))), as: UTF8.self) }
            }
            if child != "." && child != ".." { names.append(child) }
        }
        closedir(stream)
        for child in names {
            var info = stat()
            if fstatat(fd, child, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                try removeTree(child, in: fd, path: path + "/" + child)
            } else if unlinkat(fd, child, 0) != 0 {
                throw UnpackError("remove \(path)/\(child)", errno)
            }
        }
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw UnpackError("remove \(path)", errno) }
    }

    /// Creates one entry; returns the bytes written for files.
    mutating func create(_ path: String, _ entry: TarEntry, data: () throws -> [UInt8]) throws -> Int64 {
        let (directoryPath, name) = LayerOperation.split(path)
        let parent = try directory(directoryPath)
        try clear(name, in: parent, path: path, keepDirectory: entry.kind == .directory)
        switch entry.kind {
        case .directory:
            guard mkdirat(parent, name, 0o700) == 0 || errno == EEXIST else { throw UnpackError("create directory \(path)", errno) }
            let fd = try directory(path)
            try applyMetadata(fd: fd, entry: entry, path: path)
            return 0
        case .file:
            let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw UnpackError("create \(path)", errno) }
            defer { close(fd) }
            var written: Int64 = 0
            while case let chunk = try data(), !chunk.isEmpty {
                var offset = 0
                while offset < chunk.count {
                    let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + offset, chunk.count - offset) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw UnpackError("write \(path)", errno) }
                    offset += n
                }
                written += Int64(chunk.count)
            }
            try applyMetadata(fd: fd, entry: entry, path: path)
            try setTimes(fd: fd, entry, path: path)
            return written
        case .symlink:
            guard symlinkat(entry.linkName, parent, name) == 0 else { throw UnpackError("create symlink \(path)", errno) }
            guard fchownat(parent, name, uid_t(entry.uid), gid_t(entry.gid), AT_SYMLINK_NOFOLLOW) == 0 else {
                throw UnpackError("chown \(path)", errno)
            }
            for (key, value) in entry.xattrs {
                let target = "/proc/self/fd/\(parent)/\(name)"
                guard value.withUnsafeBytes({ bosun_lsetxattr(target, key, $0.baseAddress, value.count) }) == 0 else {
                    throw UnpackError("set xattr \(key) on \(path)", errno)
                }
            }
            try setTimes(path, entry)
            return 0
        case .hardlink:
            let (targetDirectory, targetName) = LayerOperation.split(entry.linkName)
            let targetParent = try directory(targetDirectory, create: false)
            guard linkat(targetParent, targetName, parent, name, 0) == 0 else {
                throw UnpackError("hardlink \(path) to \(entry.linkName)", errno)
            }
            return 0
        case .characterDevice, .blockDevice, .fifo:
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : (entry.kind == .blockDevice ? S_IFBLK : S_IFCHR)
            guard mknodat(parent, name, type | mode_t(entry.mode & 0o777), EntryWriter.device(entry.deviceMajor, entry.deviceMinor)) == 0 else {
                throw UnpackError("create device \(path)", errno)
            }
            guard fchownat(parent, name, uid_t(entry.uid), gid_t(entry.gid), AT_SYMLINK_NOFOLLOW) == 0,
                  fchmodat(parent, name, mode_t(entry.mode), 0) == 0 else {
                throw UnpackError("set owner and mode of \(path)", errno)
            }
            try setTimes(path, entry)
            return 0
        }
    }

    /// Owner, mode (after owner: chown clears setuid bits) and xattrs of an open file or directory.
    func applyMetadata(fd: Int32, entry: TarEntry, path: String) throws {
        guard fchown(fd, uid_t(entry.uid), gid_t(entry.gid)) == 0 else { throw UnpackError("chown \(path)", errno) }
        guard fchmod(fd, mode_t(entry.mode)) == 0 else { throw UnpackError("chmod \(path)", errno) }
        for (key, value) in entry.xattrs {
            guard value.withUnsafeBytes({ bosun_fsetxattr(fd, key, $0.baseAddress, value.count) }) == 0 else {
                throw UnpackError("set xattr \(key) on \(path)", errno)
            }
        }
    }

    func setTimes(fd: Int32, _ entry: TarEntry, path: String) throws {
        var times = EntryWriter.times(entry)
        guard futimens(fd, &times) == 0 else { throw UnpackError("set times of \(path)", errno) }
    }

    mutating func setTimes(_ path: String, _ entry: TarEntry) throws {
        var times = EntryWriter.times(entry)
        if path == "." {
            guard futimens(root, &times) == 0 else { throw UnpackError("set times of the root", errno) }
            return
        }
        let (directoryPath, name) = LayerOperation.split(path)
        let parent = try directory(directoryPath, create: false)
        guard utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw UnpackError("set times of \(path)", errno) }
    }

    /// An overlayfs whiteout: a 0/0 character device hiding `path` of lower layers.
    mutating func whiteout(_ path: String) throws {
        let (directoryPath, name) = LayerOperation.split(path)
        let parent = try directory(directoryPath)
        try clear(name, in: parent, path: path, keepDirectory: false)
        guard mknodat(parent, name, S_IFCHR, 0) == 0 else { throw UnpackError("create whiteout \(path)", errno) }
    }

    /// An overlayfs opaque directory: `trusted.overlay.opaque=y`.
    mutating func opaque(_ path: String) throws {
        let fd = try directory(path)
        guard bosun_fsetxattr(fd, "trusted.overlay.opaque", "y", 1) == 0 else { throw UnpackError("mark \(path) opaque", errno) }
    }

    static func times(_ entry: TarEntry) -> [timespec] {
        let time = timespec(tv_sec: Int(entry.modificationSeconds), tv_nsec: Int(entry.modificationNanoseconds))
        return [time, time]
    }

    /// `makedev` (a macro in C).
    static func device(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let ma = UInt64(major), mi = UInt64(minor)
        return dev_t(((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff))
    }
}
