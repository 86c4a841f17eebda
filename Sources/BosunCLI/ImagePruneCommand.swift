import ArgumentParser
import BosunContainers
import BosunImageSpec
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
        let store = try source.state.imageStore()
        let used = Self.inUse(store: store, containers: source.state.detachedContainers())
        let report = try store.collectGarbage(keep: keep, inUse: used.layers, inUseBlobs: used.blobs)
        for image in report.images { print("removed image \(image)") }
        print("removed \(report.snapshots.count) snapshots and \(report.blobs.count) blobs (\(ByteSize(bytes: report.bytes).humanReadable))")
    }

    /// The layers (and the manifest and config blobs) of the image every container on this host was created
    /// from — running, stopped, or kept aside by a recreate — by its record's image digest: never pruned, even
    /// when the image's tag moved or was removed since (its overlay still stacks them).
    static func inUse(store: ImageStore, containers: DetachedContainers) -> (layers: Set<ContentDigest>, blobs: Set<ContentDigest>) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: StateLayout(containers.stateDirectory).containers)) ?? []
        var layers = Set<ContentDigest>(), blobs = Set<ContentDigest>()
        for name in names {
            guard let digest = (try? containers.record(name).read())??.image?.digest,
                  let manifest = try? ContentDigest(parsing: digest), let parts = store.parts(ofManifest: manifest) else { continue }
            layers.formUnion(parts.layers)
            blobs.formUnion(parts.blobs)
        }
        return (layers, blobs)
    }
}
