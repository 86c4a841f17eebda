import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation

/// `bosun images` / `bosun image ls`.
struct ImageListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", aliases: ["list"])

    @OptionGroup var state: StateOptions
    @Flag(help: "JSON lines instead of a table.") var json = false

    func run() async throws {
        let store = try state.imageStore()
        let records = try store.records().values.sorted { $0.reference < $1.reference }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records { print(String(decoding: try encoder.encode(record), as: UTF8.self)) }
            return
        }
        var rows = [["REFERENCE", "DIGEST", "PLATFORM", "LAYERS", "SIZE"]]
        for record in records {
            rows.append([record.reference, record.manifestDigest.short, record.platform?.description ?? "-", String(record.manifest.layers.count),
                         ByteSize(bytes: record.size).humanReadable])
        }
        print(TextTable.render(rows))
    }
}
