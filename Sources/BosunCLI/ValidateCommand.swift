import ArgumentParser
import BosunManifest
import Foundation
import BosunRuntimeCLI

/// `bosun validate`: checks the manifests and prints every problem, compiler-style.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the desired state: every error and warning with file:line:column.",
        discussion: "Exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error, 3 the source could not be read.")

    @OptionGroup var source: SourceOptions

    @Flag(name: .long, help: "Print nothing on success.")
    var quiet = false

    func run() async throws {
        let (opened, result) = try await source.load()
        if result.hasErrors {
            let errors = result.errors.count, warnings = result.warnings.count
            throw CommandFailure(.invalidManifests, "\(errors) error\(errors == 1 ? "" : "s")\(warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""); nothing was changed")
        }
        guard !quiet, let state = result.state else { return }
        let services = state.projects.reduce(0) { $0 + $1.services.count }
        var line = "valid: \(state.projects.count) project\(state.projects.count == 1 ? "" : "s"), \(services) service\(services == 1 ? "" : "s")"
        if let revision = opened.revision { line += " at \(revision.commitID.prefix(12)) (\(revision.ref))" }
        if !result.warnings.isEmpty { line += ", \(result.warnings.count) warning\(result.warnings.count == 1 ? "" : "s")" }
        print(line)
    }
}
