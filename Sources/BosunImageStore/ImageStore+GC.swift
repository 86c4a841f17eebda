public import BosunImageSpec
import Foundation

extension ImageStore {
    /// What a garbage collection removed.
    public struct CollectionReport: Sendable, Equatable {
        public var images: [String] = []
        public var snapshots: [ContentDigest] = []
        public var blobs: [ContentDigest] = []
        public var bytes: Int64 = 0
    }

    /// Removes image records not in `keep` (nil keeps every record), then every snapshot and blob no remaining
    /// record references. Snapshots in `inUse` (mounted by containers) are never removed, nor the records
    /// that use them, nor the blobs in `inUseBlobs` (the manifests and configs of images containers run).
    public func collectGarbage(keep: Set<String>?, inUse: Set<ContentDigest> = [], inUseBlobs: Set<ContentDigest> = []) throws -> CollectionReport {
        var report = CollectionReport()
        var records = try records()
        if let keep {
            for (reference, record) in records where !keep.contains(reference) && inUse.isDisjoint(with: record.diffIDs) {
                if try removeRecord(reference) { report.images.append(reference) }
                records[reference] = nil
            }
        }
        var liveBlobs = inUseBlobs
        var liveSnapshots = inUse
        for record in records.values {
            liveBlobs.insert(record.manifestDigest)
            liveBlobs.insert(record.manifest.config.digest)
            for layer in record.manifest.layers { liveBlobs.insert(layer.digest) }
            liveSnapshots.formUnion(record.diffIDs)
        }
        for snapshot in snapshots() where !liveSnapshots.contains(snapshot) {
            try removeSnapshot(snapshot)
            report.snapshots.append(snapshot)
        }
        for blob in blobs.all() where !liveBlobs.contains(blob) {
            let size = (try? FileManager.default.attributesOfItem(atPath: blobs.path(blob))[.size] as? Int64) ?? 0
            try blobs.remove(blob)
            report.blobs.append(blob)
            report.bytes += size
        }
        removeDamagedSnapshots()
        report.images.sort()
        report.snapshots.sort()
        report.blobs.sort()
        return report
    }
}

extension ImageStore {
    /// The layers (diff IDs) of the image whose manifest is `manifestDigest` and the blobs that describe it
    /// (manifest, config), read from the stored blobs — the image may no longer be recorded under any
    /// reference (a tag moved); nil when its blobs are gone.
    public func parts(ofManifest manifestDigest: ContentDigest) -> (layers: [ContentDigest], blobs: [ContentDigest])? {
        guard let manifestBytes = try? blobs.read(manifestDigest),
              let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(manifestBytes)),
              let configBytes = try? blobs.read(manifest.config.digest),
              let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) else { return nil }
        return (config.rootfs?.diffIDs ?? [], [manifestDigest, manifest.config.digest])
    }
}
