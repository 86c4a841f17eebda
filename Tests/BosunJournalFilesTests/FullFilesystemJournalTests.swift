import BosunJournal
import BosunJournalFiles
import BosunModel
import Foundation
import BosunTestSupport
import Testing

/// The journal on a small tmpfs filled up: records still go in from the reserve, a record too large for it
/// leaves the chain intact, and the reserve is restored once space returns. Root (mount); the tmpfs is always
/// unmounted.
@Suite("Journal on a full filesystem", .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil))
struct FullFilesystemJournalTests {
    @Test("a full filesystem: appends draw on the reserve, the chain verifies, the reserve comes back")
    func fullTmpfs() throws {
        try #require(getuid() == 0, "mounting a tmpfs needs root (CI runs as root)")
        let mountPoint = "/var/tmp/bosun-journal-full-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        guard "size=3m,mode=0700".withCString({ mount("tmpfs", mountPoint, "tmpfs", 0, $0) }) == 0 else {
            Issue.record("mount tmpfs on \(mountPoint): \(String(cString: strerror(errno)))")
            return
        }
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }

        let storage = try FileJournalStorage(directory: mountPoint + "/journal")
        let journal = try JournalFixtures.journal(storage)
        #expect(!storage.isOnReserve)
        // Fill the filesystem.
        let filler = mountPoint + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        let block = [UInt8](repeating: 0x55, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, block.count) }) > 0 {}
        #expect(errno == ENOSPC)
        close(fd)

        let record = try journal.append(.checkpoint, .object(["checks": .int(1)]))
        #expect(storage.isOnReserve)
        let huge = JSONValue.object(["blob": .string(String(repeating: "x", count: 2 << 20))])
        #expect(throws: JournalError.self) { try journal.append(.checkpoint, huge) }
        var segments = try storage.segmentNames().map { ($0, try storage.read($0)) }
        var verified = ChainVerifier().verify(segments: segments, head: storage.readHead())
        #expect(verified.isIntact && verified.records == record.seq, "\(verified)")

        unlink(filler)
        try journal.append(.checkpoint, .object(["checks": .int(2)]))
        #expect(!storage.isOnReserve)
        segments = try storage.segmentNames().map { ($0, try storage.read($0)) }
        verified = ChainVerifier().verify(segments: segments, head: storage.readHead())
        #expect(verified.isIntact && verified.records == record.seq + 1)
    }
}
