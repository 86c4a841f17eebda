import BosunImageSpec
import BosunImageStore
import Foundation
import Testing
import BosunTestSupport

/// Each unpacked snapshot carries a record of its tree (`<hex>.tree`); a check re-hashes it, names the first
/// damaged path, moves the snapshot aside, and the next use unpacks it again from its blob.
@Suite("Snapshot checks", .enabled(if: RootGate.enabled))
struct SnapshotCheckTests {
    @Test("an intact snapshot checks; a changed file is named, moved aside and unpacked again on next use")
    func damageIsFoundAndRepaired() throws {
        try RootGate.require()
        let dir = "/var/tmp/bosun-snapcheck-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/layout", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try LayoutBuilder(directory: dir + "/layout").write(name: "localhost:5000/demo/tool:1")
        let store = try ImageStore(root: dir + "/images")
        let record = try #require(try ImageImporter(store: store, platform: .linux(machine: "x86_64")).importImages(from: dir + "/layout", reference: nil).first)
        let snapshots = try store.ensureSnapshots(record)
        let base = record.diffIDs[0], top = record.diffIDs[1]
        #expect(FileManager.default.fileExists(atPath: store.treePath(base)))
        #expect(try store.checkSnapshot(base) == .intact(entries: 5))  // ., bin, bin/tool, etc, etc/old
        #expect(store.snapshots().count == 2)

        // Same size, other bytes.
        try "v9".write(toFile: snapshots[0] + "/bin/tool", atomically: false, encoding: .utf8)
        #expect(try store.checkSnapshot(base) == .damaged(path: "bin/tool", problem: "content differs"))
        #expect(!store.hasSnapshot(base))
        #expect(try store.checkSnapshot(top) == .intact(entries: 5))
        // The next use unpacks it again from the blob.
        _ = try store.ensureSnapshots(record)
        #expect(try String(contentsOfFile: snapshots[0] + "/bin/tool", encoding: .utf8) == "v1")
        #expect(try store.checkSnapshot(base) == .intact(entries: 5))

        // A file removed, a mode changed.
        unlink(snapshots[0] + "/etc/old")
        #expect(try store.checkSnapshot(base) == .damaged(path: "etc/old", problem: "missing"))
        _ = try store.ensureSnapshots(record)
        chmod(snapshots[0] + "/bin", 0o777)
        #expect(try store.checkSnapshot(base) == .damaged(path: "bin", problem: "mode 40755 recorded, 40777 found"))
        // Prune removes the damaged copies moved aside (nothing mounts them).
        _ = try store.collectGarbage(keep: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/images/snapshots").filter { $0.contains("damaged") }.isEmpty)
    }

    @Test("a tree record round-trips through its text; odd names are encoded")
    func treeText() throws {
        let dir = "/var/tmp/bosun-tree-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/a b", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "x".write(toFile: dir + "/a b/100%\n", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "a b")
        let tree = try SnapshotTree.scan(dir)
        #expect(tree.entries.map(\.path) == [".", "a%20b", "a%20b/100%25%0A", "link"])
        #expect(SnapshotTree(text: tree.text) == tree)
        #expect(SnapshotTree(text: "garbage") == nil)
    }
}
