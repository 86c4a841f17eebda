import ArgumentParser
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun image prune [--unused …source…]`.
struct ImagePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove snapshots and blobs no image uses; with --unused, also images the desired state does not use.")

    @OptionGroup var source: SourceOptions

    @Flag(help: "Also remove images the desired state (read like `validate`, from --repo/--path) does not name.")
    var unused = false

    func run() async throws {
        var keep: Set<String>?
        if unused {
            let (_, result) = try await source.load()
            guard let desired = result.state else {
                throw CommandFailure(.invalidManifests, "the desired state is invalid; nothing was removed")
            }
            keep = Set(desired.projects.flatMap(\.services).map(\.image.description))
        }
        let report = try source.state.imageStore().collectGarbage(keep: keep)
        for image in report.images { print("removed image \(image)") }
        print("removed \(report.snapshots.count) snapshots and \(report.blobs.count) blobs (\(ByteSize(bytes: report.bytes).humanReadable))")
    }
}
