import ArgumentParser
import BosunManifest
import Foundation
import BosunRuntimeCLI

/// `bosun render`: prints the normalised desired state with each service's config hash.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the normalised desired state, each service with its config hash.",
        discussion: "Exit codes as for validate.")

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "Output format: json or yaml.")
    var format: OutputFormat = .yaml

    func run() async throws {
        let (opened, result) = try await source.load()
        guard let state = result.state else {
            throw CommandFailure(.invalidManifests, "\(result.errors.count) error\(result.errors.count == 1 ? "" : "s"); nothing to render")
        }
        print(DesiredStateRenderer.render(state, revision: opened.revision, format: format.rendererFormat))
    }
}

/// The formats `render` prints.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml
    var rendererFormat: DesiredStateRenderer.Format { self == .json ? .json : .yaml }
}
