public import BosunContainers
public import BosunImageStore
import BosunImageSpec
import Foundation

/// A stopped container's root filesystem made ready to start again: the overlay of its image's layers is mounted
/// once, when the container is created, and is gone after a reboot (or an unmount by hand). Starting it again
/// (`bosun start`, a restart policy, the agent after a reboot) mounts it anew on the same upper and work
/// directories, so what the container wrote is kept — from the image it was created from, by digest.
public enum ContainerRootfs {
    /// Mounts the overlay of `directory` when it is not mounted. Throws when the image is no longer stored with
    /// the digest the container was created from.
    public static func ensureMounted(_ directory: ContainerDirectory, image: ContainerMetadata.Image?, images: ImageStore) throws {
        guard !OverlayRootfs.isMounted(directory.rootfs) else { return }
        guard let image else {
            throw HostError("mount the root filesystem of container \(directory.name)", cause: "its image is not recorded",
                            hint: "remove it (bosun rm) and create it again")
        }
        let snapshots: [String]
        if let record = try images.record(image.reference), image.digest == nil || record.manifestDigest.description == image.digest {
            snapshots = try images.ensureSnapshots(record)
        } else if let digest = image.digest.flatMap({ try? ContentDigest(parsing: $0) }), let parts = images.parts(ofManifest: digest),
                  !parts.layers.isEmpty, parts.layers.allSatisfy(images.hasSnapshot) {
            // The reference moved on (a new image under the same tag) or was removed: the container's own
            // image, by digest, whose layers `image prune` keeps while a container uses them.
            snapshots = parts.layers.map(images.snapshotPath)
        } else {
            throw HostError("mount the root filesystem of container \(directory.name)",
                            cause: "image \(image.reference)\(image.digest.map { " (\($0))" } ?? "") is no longer in the image store",
                            hint: "pull or import it again, or recreate the container")
        }
        try OverlayRootfs.mount(lowers: snapshots, upper: directory.upper, work: directory.work, target: directory.rootfs)
    }
}
