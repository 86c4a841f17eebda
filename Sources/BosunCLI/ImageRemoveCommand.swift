import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun image rm REF`.
struct ImageRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an image record (space is freed by prune).")
    @OptionGroup var state: StateOptions
    @Argument(help: "The image reference.") var reference: String

    func run() async throws {
        let store = try state.imageStore()
        guard try store.removeRecord(try ImageStateOptions.normalise(reference)) else {
            throw CommandFailure(.checkFailed, "no image \(reference) on this host (see bosun image ls)")
        }
        print("removed \(reference)")
    }
}
