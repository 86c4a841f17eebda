import BosunJournal
import BosunJournalFiles
import Foundation
import BosunTestSupport
import Testing

@Suite("Journal files on disk")
struct FileJournalStorageTests {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("appends survive reopening; files are owner-only; the head file follows the last record")
    func roundTrip() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/journal"
        let storage = try FileJournalStorage(directory: directory)
        try JournalFixtures.fill(try JournalFixtures.journal(storage, maxSegmentBytes: 4000), count: 25)
        var info = stat()
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        for name in try storage.segmentNames() {
            #expect(stat(directory + "/" + name, &info) == 0 && info.st_mode & 0o777 == 0o600)
        }
        let again = try FileJournalStorage(directory: directory)
        let segments = try again.segmentNames().map { ($0, try again.read($0)) }
        let result = ChainVerifier().verify(segments: segments, head: again.readHead())
        #expect(result.isIntact && result.records == 26 && segments.count > 2)
        #expect(again.readHead()?.seq == 26)
        let reopened = Journal(storage: again, clock: JournalFixtures.Clock().tick, genesis: JournalFixtures.genesis, maxSegmentBytes: 4000)
        #expect(try reopened.open().lastSeq == 26)
    }

    @Test("a head file that cannot be replaced leaves no temporary file behind")
    func failedReplaceLeavesNoTemporary() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try FileJournalStorage(directory: root + "/journal")
        // A non-empty directory where head.json goes makes the rename fail, as a full disk makes the write fail.
        try FileManager.default.createDirectory(atPath: root + "/journal/head.json/x", withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { try storage.writeLastCheck(Array("{}".utf8)); try JournalFixtures.fill(try JournalFixtures.journal(storage), count: 1) }
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/journal")
        #expect(!names.contains { $0.hasSuffix(".tmp") }, "\(names)")
    }

    @Test("a torn tail on disk is cut and recorded")
    func tornTailOnDisk() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try FileJournalStorage(directory: root + "/journal")
        try JournalFixtures.fill(try JournalFixtures.journal(storage), count: 4)
        let path = root + "/journal/" + JournalSegmentName.name(1)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"body":{"#.utf8))
        try handle.close()
        let report = try Journal(storage: try FileJournalStorage(directory: root + "/journal"), clock: JournalFixtures.Clock().tick,
                                 genesis: JournalFixtures.genesis).open()
        #expect(report.repairedBytes == 9)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(ChainVerifier().verify(segments: [(JournalSegmentName.name(1), Array(bytes))], head: nil).isIntact)
    }
}

@Suite("Host identity and salt")
struct HostIdentityTests {
    @Test("the salt is created once, owner-only, and read back")
    func salt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-salt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try HostIdentity.salt(stateDirectory: root)
        #expect(first.count == 32)
        #expect(try HostIdentity.salt(stateDirectory: root) == first)
        var info = stat()
        #expect(stat(root + "/journal-salt", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(!HostIdentity.genesis(bosunVersion: "x").hostname.isEmpty)
    }
}
