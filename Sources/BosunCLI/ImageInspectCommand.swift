import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun image inspect REF`.
struct ImageInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image's record as JSON.")
    @OptionGroup var state: StateOptions
    @Argument(help: "The image reference.") var reference: String

    func run() async throws {
        let store = try state.imageStore()
        guard let record = try store.record(try ImageStateOptions.normalise(reference)) else {
            throw CommandFailure(.checkFailed, "no image \(reference) on this host (see bosun image ls)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(record), as: UTF8.self))
    }
}
