import ArgumentParser
import BosunImageSpec
import BosunImageStore
import BosunModel
import Foundation
import BosunRuntimeCLI

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
