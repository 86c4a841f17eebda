import BosunModel
public import ArgumentParser
import BosunRuntimeCLI
import Foundation

/// The `bosun` command line: a GitOps agent for one Linux host.
public struct BosunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bosun",
        abstract: "Converge this host to the desired state kept in a git repository.",
        discussion: """
        Exit codes: 0 success; 1 the manifests are invalid (or a check failed); 2 usage error; 3 the source \
        could not be read (git fetch, ref, path, journal); 4 an internal or host error.
        """,
        version: BosunVersion.current,
        subcommands: [ValidateCommand.self, RenderCommand.self, PlanCommand.self, ApplyCommand.self, DownCommand.self, StatusCommand.self, AgentCommand.self, SyncCommand.self, RollbackCommand.self, HistoryCommand.self, JournalCommand.self,
                      ImageCommand.self, ImagesCommand.self, PullCommand.self, RunCommand.self, ExecCommand.self, PsCommand.self, StopCommand.self,
                      StartCommand.self, RmCommand.self, LogsCommand.self, NetworkCommand.self, RuntimeCommand.self])

    public init() {}

    /// Runs the command line and exits with bosun's documented codes (usage errors are 2, not 64).
    public static func runAndExit(_ arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            Foundation.exit(CommandFailure.report(error, exitCode: exitCode(for: error), message: fullMessage(for: error)))
        }
    }
}

