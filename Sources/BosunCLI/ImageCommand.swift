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
        subcommands: [ImageListCommand.self, ImageImportCommand.self, ImageInspectCommand.self, ImageRemoveCommand.self, ImagePruneCommand.self])
}

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

/// `bosun image import PATH`.
struct ImageImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import an OCI layout directory, or an OCI or docker-save archive.")

    @OptionGroup var state: StateOptions
    @Argument(help: "The layout directory or archive (.tar, .tar.gz).") var path: String
    @Option(help: "The reference to store it as (default: the name recorded in the source).") var ref: String?

    func run() async throws {
        let store = try state.imageStore()
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        do {
            let records = try ImageImporter(store: store, platform: .linux(machine: machine)).importImages(from: path, reference: ref)
            for record in records {
                try store.ensureSnapshots(record)
                print("imported \(record.reference) \(record.manifestDigest.short) (\(record.manifest.layers.count) layers)")
            }
        } catch {
            throw CommandFailure(.checkFailed, "\(error)")
        }
    }
}

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

/// `bosun image prune`.
struct ImagePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove snapshots and blobs no image uses.")
    @OptionGroup var state: StateOptions

    func run() async throws {
        let report = try state.imageStore().collectGarbage(keep: nil)
        print("removed \(report.snapshots.count) snapshots and \(report.blobs.count) blobs (\(ByteSize(bytes: report.bytes).humanReadable))")
    }
}

/// Helpers for image commands.
enum ImageStateOptions {
    static func normalise(_ reference: String) throws -> String {
        do { return try ImageReference(parsing: reference).description } catch {
            throw CommandFailure(.usage, error.message)
        }
    }
}

extension StateOptions {
    func imageStore() throws -> ImageStore {
        do {
            _ = try FileManager.default.createDirectory(atPath: resolvedStateDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try ImageStore(root: resolvedStateDir + "/images")
        } catch {
            throw CommandFailure(.internalError, "cannot open the image store in \(resolvedStateDir)/images: \(error)")
        }
    }
}

extension ByteSize {
    /// `12.3 MB` style, decimal, for tables.
    var humanReadable: String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

/// Left-aligned text columns separated by two spaces.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == row.count - 1 ? text : text + String(repeating: " ", count: widths[column] - text.count + 2)
            }.joined()
        }.joined(separator: "\n")
    }
}

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
