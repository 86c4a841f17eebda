import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation

/// `bosun image …`: the images on this host.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage the images on this host.",
        subcommands: [ImageListCommand.self, ImageImportCommand.self, ImageInspectCommand.self, ImageRemoveCommand.self, ImagePruneCommand.self, ImageCheckCommand.self])
}
