import BosunModel
import Foundation
import Glibc
import Testing
@testable import BosunContainers

/// A container's one record (`container.json` format 2): read from format 1's files as bosun wrote them
/// (`Fixtures/state-v1`), migrated, refused when newer, changed by concurrent writers without a lost update.
@Suite struct ContainerRecordFileTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/state-v1").path

    /// A copy of the fixture's containers directory, each test its own (they run in parallel).
    let containers = "/var/tmp/bosun-records-\(getpid())-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.copyItem(atPath: Self.fixture + "/containers", toPath: containers)
    }

    func file(_ name: String) -> ContainerRecordFile { ContainerRecordFile(directory: containers + "/" + name) }

    func cleanUp() { try? FileManager.default.removeItem(atPath: containers) }

    @Test func formatOneFilesAreReadAsOneRecord() throws {
        defer { cleanUp() }
        let web = try #require(try file("legacy-web-1").read())
        #expect(web.version == 1 && web.phase == .started && web.name == "legacy-web-1")
        #expect(web.service?.project.name == "legacy" && web.service?.service.name == "web")
        #expect(web.service?.service.resources.memoryLimit == ByteSize(bytes: 64 << 20))
        #expect(web.service?.configHash == web.labels["org.bosun.config-hash"])
        #expect(web.address == "10.89.1.2" && web.publishedPorts == ["0.0.0.0:18091->80/tcp"])
        #expect(web.stopTimeout == 3 && web.log.maxFile == 2 && web.image?.reference == "localhost:5000/bosun/busybox:1.35")
        #expect(web.creator?.hasPrefix("30633 ") == true && web.stoppedByUser == nil)

        let worker = try #require(try file("legacy-worker-1").read())
        #expect(worker.service?.service.networks.map(\.network) == ["back"] && worker.publishedPorts == [])

        let run = try #require(try file("legacy-run").read())
        #expect(run.service == nil && run.phase == .started && run.publishedPorts == ["0.0.0.0:18092->8080/tcp"])

        let stopped = try #require(try file("legacy-stopped").read())
        #expect(stopped.stoppedByUser == Date(timeIntervalSince1970: 1_796_678_724))
    }

    @Test func aServiceContainerNeverStartedAndAHalfMadeDirectory() throws {
        defer { cleanUp() }
        // Format 1 told "created, never started" by a service.json without container.json, and "being made" by
        // a creator file alone.
        unlink(containers + "/legacy-web-1/container.json")
        let created = try #require(try file("legacy-web-1").read())
        #expect(created.phase == .created && created.service?.service.name == "web" && created.command == ["httpd", "-f", "-p", "80"])
        #expect(created.bundle == containers + "/legacy-web-1/bundle")

        for name in ["container.json", "service.json", "address", "ports"] { unlink(containers + "/legacy-worker-1/" + name) }
        let preparing = try #require(try file("legacy-worker-1").read())
        #expect(preparing.phase == .preparing && preparing.service == nil && preparing.creator != nil)

        try FileManager.default.createDirectory(atPath: containers + "/empty", withIntermediateDirectories: false)
        #expect(try file("empty").read() == nil)
    }

    @Test func migrationWritesFormatTwoAndRemovesTheOldFiles() throws {
        defer { cleanUp() }
        for name in ["legacy-web-1", "legacy-worker-1", "legacy-run", "legacy-stopped"] {
            let before = try #require(try file(name).read())
            #expect(try file(name).migrate(), "\(name) is in format 1")
            var after = try #require(try file(name).read())
            #expect(after.version == 2)
            after.version = before.version
            #expect(after == before, "\(name): the migration changes nothing but the format")
            for old in LegacyContainerFiles.fileNames {
                #expect(access(containers + "/\(name)/" + old, F_OK) != 0, "\(name)/\(old) is removed")
            }
            #expect(try file(name).migrate() == false, "\(name): a second migration has nothing to do")
        }
        // The monitor's file is not bosun's record: it stays.
        #expect(access(containers + "/legacy-stopped/exit.json", F_OK) == 0)
    }

    @Test func aMigrationCutOffBeforeItRemovedTheOldFilesIsFinished() throws {
        defer { cleanUp() }
        let leftover = try String(contentsOfFile: containers + "/legacy-web-1/address", encoding: .utf8)
        try file("legacy-web-1").migrate()
        // The old files back beside format 2, with a different address: format 2 wins, the next change removes them.
        try "10.89.9.9\n".write(toFile: containers + "/legacy-web-1/address", atomically: true, encoding: .utf8)
        #expect(try file("legacy-web-1").read()?.address == leftover.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try file("legacy-web-1").migrate())
        #expect(access(containers + "/legacy-web-1/address", F_OK) != 0)
    }

    @Test func aRecordOfANewerBosunIsRefused() throws {
        defer { cleanUp() }
        try file("legacy-run").migrate()
        let path = containers + "/legacy-run/container.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 3")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ContainerRecordFile.Unreadable.self) { try file("legacy-run").read() }
        #expect(throws: ContainerRecordFile.Unreadable.self) { try file("legacy-run").update { $0?.address = "x" } }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "a refused record is not rewritten")
    }

    @Test func concurrentChangesLoseNothing() throws {
        defer { cleanUp() }
        let record = file("legacy-run")
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            _ = try? record.update { $0?.labels["writer-\(index)"] = "\(index)" }
        }
        let labels = try #require(try record.read()).labels
        #expect((0..<64).allSatisfy { labels["writer-\($0)"] == "\($0)" }, "\(labels.count) labels")
    }
}
