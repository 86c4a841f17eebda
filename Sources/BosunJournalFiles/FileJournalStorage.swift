public import BosunJournal
import Foundation
import BosunLinux

/// Journal segments in a directory (created 0700): appends with `write` + `fsync`, new segments with a
/// directory `fsync`, the head and last-check files replaced by rename. A failed append leaves the segment as
/// it was (cut back to its length before). Writes draw on a reserve of space (`.reserve`, 1 MiB) when the
/// filesystem is full, so the journal can still record why nothing was done (`JournalReserve`).
public final class FileJournalStorage: JournalStorage {
    public let directory: String
    private var appendHandles: [String: Int32] = [:]
    /// Opened at the first write, so reading the journal creates nothing.
    private lazy var reserve: JournalReserve? = ReserveFile(path: directory + "/.reserve").map { JournalReserve(space: $0) }

    /// Whether the journal has drawn on its reserve and the filesystem has not had the space to restore it.
    public var isOnReserve: Bool { reserve?.isShort ?? false }

    /// Opens (creating) the journal directory.
    public init(directory: String) throws {
        self.directory = directory
        var info = stat()
        if lstat(directory, &info) != 0 {
            let parent = (directory as NSString).deletingLastPathComponent
            if !parent.isEmpty, lstat(parent, &info) != 0 {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw JournalError.storage("create journal directory \(directory): \(Errno.text(errno))")
            }
            try FileJournalStorage.syncDirectory((directory as NSString).deletingLastPathComponent)
        } else if (info.st_mode & S_IFMT) != S_IFDIR {
            throw JournalError.storage("journal directory \(directory) is not a directory")
        }
    }

    deinit {
        for fd in appendHandles.values { close(fd) }
    }

    public func segmentNames() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { JournalSegmentName.index(of: $0) != nil }.sorted {
            (JournalSegmentName.index(of: $0) ?? 0) < (JournalSegmentName.index(of: $1) ?? 0)
        }
    }

    public func read(_ segment: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(segment)) else {
            throw JournalError.storage("read journal segment \(path(segment)): cannot open")
        }
        return Array(data)
    }

    public func append(_ bytes: [UInt8], to segment: String) throws {
        let fd = try handle(segment)
        try withReserve { try appendOnce(bytes, fd: fd, segment: segment) }
    }

    /// Writes and syncs `bytes` at the end; on failure cuts the segment back to its length before, so a full
    /// filesystem never leaves a torn record in the middle of the chain.
    private func appendOnce(_ bytes: [UInt8], fd: Int32, segment: String) throws {
        var info = stat()
        let start = fstat(fd, &info) == 0 ? info.st_size : -1
        func fail(_ action: String) -> ReserveFailure {
            let code = errno
            if start >= 0 { _ = ftruncate(fd, start) }
            return ReserveFailure(errno: code, message: "\(action) \(path(segment)): \(Errno.text(code))")
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("append to")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw fail("fsync") }
    }

    /// Runs a write through the reserve; its failure becomes `JournalError.storage`.
    private func withReserve<T>(_ write: () throws -> T) throws -> T {
        do {
            if let reserve { return try reserve.writing(write) }
            return try write()
        } catch let failure as ReserveFailure {
            throw JournalError.storage(failure.message)
        }
    }

    public func createSegment(_ segment: String) throws {
        try withReserve {
            let fd = open(path(segment), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let code = errno
                throw ReserveFailure(errno: code, message: "create \(path(segment)): \(Errno.text(code))")
            }
            fsync(fd)
            close(fd)
        }
        try FileJournalStorage.syncDirectory(directory)
    }

    public func truncate(_ segment: String, to length: Int) throws {
        let fd = try handle(segment)
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw JournalError.storage("truncate \(path(segment)): \(Errno.text(errno))")
        }
    }

    public func readHead() -> JournalHead? {
        guard let data = FileManager.default.contents(atPath: directory + "/head.json") else { return nil }
        return try? JSONDecoder().decode(JournalHead.self, from: data)
    }

    public func writeHead(_ head: JournalHead) throws {
        try replace("head.json", with: Array(try JSONEncoder().encode(head)))
    }

    public func writeLastCheck(_ bytes: [UInt8]) throws {
        try replace("last-check.json", with: bytes)
    }

    public func readLastCheck() -> [UInt8]? {
        FileManager.default.contents(atPath: directory + "/last-check.json").map(Array.init)
    }

    public func readIndex() -> [UInt8]? {
        FileManager.default.contents(atPath: directory + "/applied-index.json").map(Array.init)
    }

    public func writeIndex(_ bytes: [UInt8]) throws {
        try replace("applied-index.json", with: bytes)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    private func handle(_ segment: String) throws -> Int32 {
        if let fd = appendHandles[segment] { return fd }
        let fd = open(path(segment), O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.storage("open \(path(segment)): \(Errno.text(errno))") }
        appendHandles[segment] = fd
        return fd
    }

    /// Writes a small file next to the journal and renames it into place (not synced: it may lag after a crash).
    private func replace(_ name: String, with bytes: [UInt8]) throws {
        try withReserve { try replaceOnce(name, with: bytes) }
    }

    private func replaceOnce(_ name: String, with bytes: [UInt8]) throws {
        let temporary = path("." + name + ".tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            throw ReserveFailure(errno: code, message: "write \(temporary): \(Errno.text(code))")
        }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        let writeError = errno
        close(fd)
        guard n == bytes.count, rename(temporary, path(name)) == 0 else {
            // A full disk (or a failed rename) leaves no temporary behind: the old file stays as it was.
            let cause = n == bytes.count ? errno : (n < 0 ? writeError : ENOSPC)
            unlink(temporary)
            throw ReserveFailure(errno: cause, message: "replace \(path(name)): \(Errno.text(cause))")
        }
    }

    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.storage("open directory \(directory): \(Errno.text(errno))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw JournalError.storage("fsync directory \(directory): \(Errno.text(errno))") }
    }
}
