import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation

/// `bosun images`: the same as `bosun image ls`.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images (bosun image ls).")
    @OptionGroup var state: StateOptions
    @Flag(help: "JSON lines instead of a table.") var json = false

    func run() async throws {
        var list = ImageListCommand()
        list.state = state
        list.json = json
        try await list.run()
    }
}
