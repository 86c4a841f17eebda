import ArgumentParser
import BosunOCI
import Foundation

struct RuntimeSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "Write a default config.json (Docker's defaults) into a bundle, like `runc spec`.")

    @Option(name: [.customLong("bundle"), .customShort("b")], help: "The bundle directory.")
    var bundle: String = "."
    @Flag(help: "Ask for a terminal (process.terminal).")
    var terminal = false
    @Argument(help: "The program and its arguments (default: sh).")
    var arguments: [String] = []

    func run() throws {
        let path = bundle + "/config.json"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(.usage, "write `\(path)`: file exists")
        }
        let spec = DefaultSpec.make(args: arguments.isEmpty ? ["sh"] : arguments, terminal: terminal)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(spec).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure(.internalError, "write `\(path)`: \(error.localizedDescription)")
        }
    }
}
