@testable import BosunDaemon
import BosunAgent
import Foundation
import Glibc
import Testing

@Suite("Restart counts file")
struct RestartCountsFileTests {
    static func directory() throws -> String {
        let path = "/var/tmp/bosun-restart-counts-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("saved 0600 and read back; an unchanged supervision is not written again")
    func roundTrip() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = RestartCountsFile(stateDirectory: directory)
        #expect(try file.load() == nil)
        var supervision = RestartSupervision()
        _ = supervision.exited("web", policy: .always, configHash: "h", exit: "t1", exitCode: 1, ranFor: 1, stoppedByUser: false, now: 0)
        try file.save(supervision.counts)
        var info = stat()
        #expect(stat(file.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        unlink(file.path)
        try file.save(supervision.counts)
        #expect(!FileManager.default.fileExists(atPath: file.path), "the same counts are not written twice")
        _ = supervision.exited("web", policy: .always, configHash: "h", exit: "t2", exitCode: 1, ranFor: 1, stoppedByUser: false, now: 0)
        try file.save(supervision.counts)
        #expect(try RestartCountsFile(stateDirectory: directory).load() == supervision.counts)
    }

    @Test("a damaged or foreign file is refused with its path and what happens, never a crash")
    func damaged() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = RestartCountsFile(stateDirectory: directory)
        for text in ["{\"version\":1,\"containers\":{\"web\":{\"restarts\":\"many\"}}}", "\u{0}\u{1}garbage", "{\"version\":9,\"containers\":{}}"] {
            try text.write(toFile: file.path, atomically: true, encoding: .utf8)
            #expect {
                try file.load()
            } throws: { error in
                let message = (error as? RestartCountsError)?.message ?? ""
                return message.contains(file.path) && message.contains("counts start again at zero")
            }
        }
        #expect(file.isNew("disk full") && !file.isNew("disk full") && file.isNew("read-only"))
    }
}
