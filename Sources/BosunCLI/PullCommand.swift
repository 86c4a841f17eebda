import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import BosunRegistry
import Foundation
import BosunRuntimeCLI

/// `bosun pull REF`: pulls an image from its registry into the store and unpacks its layers.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image from a registry and unpack its layers.",
        discussion: "Exit codes: 0 pulled, 1 the image could not be pulled or unpacked, 2 usage error.")

    @OptionGroup var state: StateOptions

    @Argument(help: "The image reference (nginx:1.27, ghcr.io/org/app@sha256:…).")
    var reference: String

    @OptionGroup var registry: HostEngineOptions

    @Flag(help: "Print only the pulled reference and digest.")
    var quiet = false

    func run() async throws {
        let imageReference = try ImageStateOptions.parse(reference)
        let pulled = try await PullCommand.pull(imageReference, store: try state.imageStore(), configuration: try registry.registryConfiguration(),
                                                progress: !quiet)
        print("\(imageReference) \(pulled.resolvedDigest)")
    }

    /// Pulls `imageReference` into `store` and unpacks its layers (also what `bosun run` does for a missing image).
    @discardableResult
    static func pull(_ imageReference: ImageReference, store: ImageStore, configuration: RegistryConfiguration, progress: Bool) async throws -> PulledImage {
        let client = RegistryClient(store: store.blobs, configuration: configuration)
        let display = PullProgressDisplay(enabled: progress)
        let pulled: PulledImage
        do {
            pulled = try await client.pull(imageReference) { display.update($0) }
        } catch {
            await client.shutdown()
            display.finish()
            throw CommandFailure(.checkFailed, error.description)
        }
        await client.shutdown()
        display.finish()
        let record = ImageRecord(
            reference: imageReference.description, manifestDigest: pulled.manifestDigest, manifest: pulled.manifest,
            platform: pulled.platform ?? pulled.imageConfig.architecture.map { Platform(architecture: $0, os: pulled.imageConfig.os ?? "linux") },
            diffIDs: pulled.imageConfig.rootfs?.diffIDs ?? [], storedAt: Int64(Date().timeIntervalSince1970 * 1000))
        do {
            try store.save(record)
            try store.ensureSnapshots(record)
        } catch {
            throw CommandFailure(.checkFailed, "unpack \(imageReference): \(error)")
        }
        return pulled
    }
}

/// Per-layer progress lines: redrawn in place on a terminal, one line per finished blob otherwise.
final class PullProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    private var order: [ContentDigest] = []
    private var latest: [ContentDigest: PullProgress] = [:]
    private var drawnLines = 0
    private var lastDraw = 0.0

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: PullProgress) {
        guard enabled else { return }
        lock.withLock {
            if latest[progress.digest] == nil { order.append(progress.digest) }
            let previous = latest[progress.digest]?.phase
            latest[progress.digest] = progress
            if terminal {
                let now = Date().timeIntervalSince1970
                if now - lastDraw > 0.1 || progress.phase == .done || progress.phase == .cached {
                    lastDraw = now
                    redraw()
                }
            } else if previous != progress.phase && [.done, .cached, .retrying].contains(progress.phase) {
                write(line(progress) + "\n")
            }
        }
    }

    func finish() {
        guard enabled, terminal else { return }
        lock.withLock { redraw() }
    }

    private func redraw() {
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for digest in order {
            guard let progress = latest[digest] else { continue }
            text += "\u{1B}[2K" + line(progress) + "\n"
        }
        drawnLines = order.count
        write(text)
    }

    private func line(_ progress: PullProgress) -> String {
        let name = (progress.layer.map { "layer \($0 + 1)" } ?? "config").padding(toLength: 9, withPad: " ", startingAt: 0)
        let sizes = "\(ByteSize(bytes: progress.completed).humanReadable) / \(ByteSize(bytes: progress.total).humanReadable)"
        switch progress.phase {
        case .cached: return "\(name) \(progress.digest.short)  already present"
        case .done: return "\(name) \(progress.digest.short)  done \(ByteSize(bytes: progress.total).humanReadable)"
        case .retrying: return "\(name) \(progress.digest.short)  retrying at \(sizes)"
        case .downloading:
            let fraction = progress.total > 0 ? Double(progress.completed) / Double(progress.total) : 0
            let filled = Int(fraction * 30)
            return "\(name) \(progress.digest.short)  [\(String(repeating: "=", count: filled))\(String(repeating: " ", count: 30 - filled))] \(sizes)"
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
