import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation

/// `bosun image prune`.
struct ImagePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove snapshots and blobs no image uses.")
    @OptionGroup var state: StateOptions

    func run() async throws {
        let report = try state.imageStore().collectGarbage(keep: nil)
        print("removed \(report.snapshots.count) snapshots and \(report.blobs.count) blobs (\(ByteSize(bytes: report.bytes).humanReadable))")
    }
}
