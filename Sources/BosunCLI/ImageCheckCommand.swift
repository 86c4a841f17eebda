import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun image check [IMAGE]`: re-hashes the unpacked snapshots of one image (or of every image) against the
/// record taken when each was unpacked, and names the first damaged path. A damaged snapshot is moved aside and
/// unpacked again from its verified blob the next time it is needed.
struct ImageCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the unpacked layers of an image (default: every image) against their records.")
    @OptionGroup var state: StateOptions
    @Argument(help: "The image reference (default: every image).") var reference: String?

    func run() async throws {
        let store = try state.imageStore()
        let records = try store.records()
        var images = records.keys.sorted()
        if let reference {
            let name = try ImageStateOptions.normalise(reference)
            guard records[name] != nil else { throw CommandFailure(.checkFailed, "no image \(reference) on this host (see bosun image ls)") }
            images = [name]
        }
        var checked = Set<ContentDigest>()
        var damaged = 0
        for image in images {
            for diffID in records[image]?.diffIDs ?? [] where checked.insert(diffID).inserted {
                let result: ImageStore.SnapshotCheck
                do { result = try store.checkSnapshot(diffID) } catch {
                    throw CommandFailure(.internalError, "check the layer \(diffID.short) of \(image): \(error)")
                }
                switch result {
                case .intact(let entries): print("ok       \(image) layer \(diffID.short) (\(entries) entries)")
                case .absent: print("absent   \(image) layer \(diffID.short) (not unpacked; unpacked from its blob when needed)")
                case .recordedNow(let entries): print("recorded \(image) layer \(diffID.short) (\(entries) entries; unpacked before records were kept)")
                case .damaged(let path, let problem):
                    damaged += 1
                    print("damaged  \(image) layer \(diffID.short): \(path): \(problem); moved aside, unpacked again from its blob when next needed")
                }
            }
        }
        if damaged > 0 { throw CommandFailure(.checkFailed, "\(damaged) damaged layer\(damaged == 1 ? "" : "s")") }
    }
}
