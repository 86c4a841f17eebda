@testable import BosunJournalFiles
import Foundation
import Testing

/// A filesystem of `free` bytes holding a reserve file: writes take space, the reserve gives it back.
final class FakeDisk: ReserveSpace {
    var free: Int
    var size: Int
    var grows = 0

    init(free: Int, reserve: Int) {
        self.free = free
        size = reserve
    }

    func grow(to size: Int) throws {
        grows += 1
        guard size - self.size <= free else { throw ReserveFailure(errno: ENOSPC, message: "fake: no space") }
        free -= size - self.size
        self.size = size
    }

    func shrink(to size: Int) {
        free += self.size - size
        self.size = size
    }

    /// A write of `bytes` that fails (having written nothing) when they do not fit.
    func write(_ bytes: Int) throws {
        guard bytes <= free else { throw ReserveFailure(errno: ENOSPC, message: "fake write: No space left on device") }
        free -= bytes
    }
}

@Suite("Journal reserve")
struct JournalReserveTests {
    @Test("with space, writes do not touch the reserve; a short reserve is made whole before the next write")
    func roomy() throws {
        let disk = FakeDisk(free: 1000, reserve: 100)
        let reserve = JournalReserve(space: disk, fullSize: 400, slice: 100)
        #expect(reserve.isShort)
        try reserve.writing { try disk.write(50) }
        #expect(disk.size == 400 && disk.free == 650 && !reserve.isShort)
    }

    @Test("on a full filesystem a write gets slices of the reserve until it fits; the reserve stays short")
    func full() throws {
        let disk = FakeDisk(free: 0, reserve: 400)
        let reserve = JournalReserve(space: disk, fullSize: 400, slice: 100)
        try reserve.writing { try disk.write(150) }
        #expect(disk.size == 200 && disk.free == 50 && reserve.isShort)
        // The next write cannot restore the reserve (50 free of the 200 missing) but fits in what is left.
        try reserve.writing { try disk.write(40) }
        #expect(disk.size == 200 && disk.free == 10 && reserve.isShort)
    }

    @Test("a write larger than the whole reserve fails with the filesystem's error, the reserve spent")
    func tooLarge() {
        let disk = FakeDisk(free: 0, reserve: 400)
        let reserve = JournalReserve(space: disk, fullSize: 400, slice: 100)
        #expect(throws: ReserveFailure.self) { try reserve.writing { try disk.write(500) } }
        #expect(disk.size == 0 && disk.free == 400)
    }

    @Test("errors other than a full filesystem are not retried and leave the reserve alone")
    func otherErrors() {
        let disk = FakeDisk(free: 0, reserve: 400)
        let reserve = JournalReserve(space: disk, fullSize: 400, slice: 100)
        #expect(throws: ReserveFailure.self) { try reserve.writing { throw ReserveFailure(errno: EIO, message: "io") } }
        #expect(disk.size == 400)
    }

    @Test("once space returns the reserve is whole again")
    func recovers() throws {
        let disk = FakeDisk(free: 0, reserve: 400)
        let reserve = JournalReserve(space: disk, fullSize: 400, slice: 100)
        try reserve.writing { try disk.write(60) }
        #expect(reserve.isShort)
        disk.free += 5000  // a file was deleted
        try reserve.writing { try disk.write(10) }
        #expect(!reserve.isShort && disk.size == 400)
    }
}
