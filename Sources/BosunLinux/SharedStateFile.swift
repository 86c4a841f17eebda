#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A state file that more than one bosun process reads and rewrites — the inventory, the network records —
/// each process keeping a decoded copy in memory: the agent beside `bosun apply`, `run -d`, `rm`. Writers
/// hold the file's lock (`flock` on `<path>.lock`, released by the kernel if the holder dies) from reading to
/// renaming the new file into place, and everyone reads the file again when it is not the one last seen (its
/// inode, size and modification time: every write is a rename of a new file). Without it a long-lived
/// process writes its stale copy back over what another one recorded.
public final class SharedStateFile: Sendable {
    public let path: String
    public let lockPath: String
    private let seen = Mutex<Stamp?>(nil)

    /// What identifies one version of the file.
    struct Stamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }
    }

    public init(path: String, lockPath: String) {
        self.path = path
        self.lockPath = lockPath
    }

    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: info.st_mtim)
    }

    /// Whether the file on disk is not the version last read or written by this process (absent counts as a
    /// version of its own).
    public var changedSinceSeen: Bool { seen.withLock { $0 } != Self.stamp(path) }

    /// Records the version on disk now as the one this process holds (call after reading or writing it).
    public func noteSeen() { seen.withLock { $0 = Self.stamp(path) } }

    /// Replaces `copy` with the file as `load` reads it when another process replaced the file since this one
    /// last read or wrote it; a load that fails leaves `copy` as it was.
    public func refresh<Value, E: Error>(_ copy: inout Value, load: () throws(E) -> Value) throws(E) {
        guard changedSinceSeen else { return }
        copy = try load()
        noteSeen()
    }

    /// Runs `body` holding the cross-process lock; a lock that cannot be taken is `lockFailed`'s error.
    public func exclusively<T, E: Error>(lockFailed: (SystemCallError) -> E, _ body: () throws(E) -> T) throws(E) -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw lockFailed(SystemCallError("open", lockPath, errno)) }
        defer { close(fd) }  // closing the only descriptor of the open file releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw lockFailed(SystemCallError("flock", lockPath, errno)) }
        }
        return try body()
    }
}
