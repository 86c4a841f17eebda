import Foundation
import BosunLinux

/// Space on the journal's filesystem that can be given back: a file of `size` bytes that really holds its
/// blocks (`posix_fallocate`), so shrinking it frees that much space.
protocol ReserveSpace: AnyObject {
    var size: Int { get }
    /// Makes the file `size` bytes, allocated; throws the errno (`ENOSPC`) when the filesystem lacks the space,
    /// and then leaves the size as it was.
    func grow(to size: Int) throws
    /// Cuts the file to `size` bytes, freeing the rest.
    func shrink(to size: Int)
}

/// A failed write of the journal, with its errno so a full filesystem is told apart.
struct ReserveFailure: Error {
    var errno: Int32
    var message: String
    /// `ENOSPC` or `EDQUOT`: the filesystem (or the quota) is full.
    var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }
}

/// Keeps a reserve of space beside the journal so that a full filesystem cannot keep bosun from recording
/// why it did nothing: a write that fails with `ENOSPC` gives back one slice of the reserve and is tried again,
/// until it fits or the reserve is spent. Before each write the reserve is made whole again when the space is
/// there. While the reserve is short (`isShort`) the filesystem is full: a convergence records itself as
/// failed and changes nothing.
final class JournalReserve {
    static let fullSize = 1 << 20
    static let slice = 64 << 10
    let space: any ReserveSpace
    let fullSize: Int
    let slice: Int

    init(space: any ReserveSpace, fullSize: Int = JournalReserve.fullSize, slice: Int = JournalReserve.slice) {
        self.space = space
        self.fullSize = fullSize
        self.slice = slice
    }

    /// Whether part of the reserve has been given back and not yet restored.
    var isShort: Bool { space.size < fullSize }

    /// Tries to make the reserve whole (a full filesystem leaves it as it is).
    func refill() {
        if space.size < fullSize { try? space.grow(to: fullSize) }
    }

    /// Runs `write` (which must leave nothing half written when it fails); on `ENOSPC` gives back a slice of
    /// the reserve and runs it again.
    func writing<T>(_ write: () throws -> T) throws -> T {
        refill()
        while true {
            do { return try write() } catch let failure as ReserveFailure where failure.isNoSpace && space.size > 0 {
                space.shrink(to: max(0, space.size - slice))
            }
        }
    }
}

/// The reserve as a file (`journal/.reserve`, 0600).
final class ReserveFile: ReserveSpace {
    let path: String
    private let fd: Int32

    /// Opens (creating) the file; nil when it cannot be opened (the journal then has no reserve).
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    var size: Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    func grow(to size: Int) throws {
        let before = self.size
        guard size > before else { return }
        let result = posix_fallocate(fd, off_t(before), off_t(size - before))
        guard result == 0 else {
            // A partial allocation is given back: the reserve is all there or as it was.
            _ = ftruncate(fd, off_t(before))
            throw ReserveFailure(errno: result, message: "allocate the journal's reserve \(path): \(Errno.text(result))")
        }
        _ = fsync(fd)
    }

    func shrink(to size: Int) {
        _ = ftruncate(fd, off_t(size))
        _ = fsync(fd)
    }
}
