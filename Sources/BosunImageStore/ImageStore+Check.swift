public import BosunImageSpec
import Foundation

extension ImageStore {
    /// What checking a snapshot found.
    public enum SnapshotCheck: Sendable, Equatable {
        /// The tree is as recorded when it was unpacked.
        case intact(entries: Int)
        /// `path` differs (`problem`); the snapshot was moved aside (`.<hex>.damaged.<n>`) and is unpacked again
        /// from its verified blob the next time an image needs it. A container running on it keeps its mount.
        case damaged(path: String, problem: String)
        /// No snapshot of this layer is unpacked.
        case absent
        /// Unpacked by an older bosun, with no record: its tree is recorded now, as it is.
        case recordedNow(entries: Int)
    }

    /// `snapshots/<hex>.tree`: the snapshot's tree as recorded when it was unpacked (`SnapshotTree`).
    public func treePath(_ diffID: ContentDigest) -> String { "\(root)/snapshots/\(diffID.hex).tree" }

    /// Scans the snapshot of `diffID` again (every file re-hashed) and compares it with its record.
    public func checkSnapshot(_ diffID: ContentDigest) throws -> SnapshotCheck {
        guard hasSnapshot(diffID) else { return .absent }
        let actual = try SnapshotTree.scan(snapshotPath(diffID))
        guard let text = try? String(contentsOfFile: treePath(diffID), encoding: .utf8), let recorded = SnapshotTree(text: text) else {
            if FileManager.default.fileExists(atPath: treePath(diffID)) {
                try moveAside(diffID)
                return .damaged(path: treePath(diffID), problem: "the record itself is damaged")
            }
            try Data(actual.text.utf8).write(to: URL(fileURLWithPath: treePath(diffID)), options: .atomic)
            return .recordedNow(entries: actual.entries.count)
        }
        guard let difference = recorded.firstDifference(actual) else { return .intact(entries: actual.entries.count) }
        try moveAside(diffID)
        return .damaged(path: difference.path, problem: difference.problem)
    }

    /// Renames a damaged snapshot out of the way (its record removed), so the next use unpacks it again; the
    /// renamed directory stays while a container may still have it as a lower layer (`image prune` removes it
    /// once nothing mounts it).
    func moveAside(_ diffID: ContentDigest) throws {
        var index = 1
        while FileManager.default.fileExists(atPath: "\(root)/snapshots/.\(diffID.hex).damaged.\(index)") { index += 1 }
        guard rename(snapshotPath(diffID), "\(root)/snapshots/.\(diffID.hex).damaged.\(index)") == 0 else {
            throw UnpackError("move the damaged snapshot \(diffID.short) aside", errno)
        }
        unlink(treePath(diffID))
    }

    /// Removes the damaged snapshots moved aside that no mount uses any more; returns how many.
    @discardableResult
    public func removeDamagedSnapshots() -> Int {
        let directory = root + "/snapshots"
        // Read to the end: String(contentsOfFile:) stops after the first read of a /proc file (~4 KiB), and a
        // mount table that cannot be read removes nothing.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/mountinfo") else { return 0 }
        defer { try? handle.close() }
        let mounts = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.contains(".damaged.") {
            guard !mounts.contains(directory + "/" + name) else { continue }
            if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil { removed += 1 }
        }
        return removed
    }
}
