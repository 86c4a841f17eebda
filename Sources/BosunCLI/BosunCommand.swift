public import ArgumentParser
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
        subcommands: [ValidateCommand.self, RenderCommand.self, PlanCommand.self, ApplyCommand.self, DownCommand.self, StatusCommand.self, AgentCommand.self, SyncCommand.self, HistoryCommand.self, JournalCommand.self,
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
        } catch let passthrough as PassthroughExit {
            Foundation.exit(passthrough.status)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data((failure.message.isEmpty ? "" : "bosun: \(failure.message)\n").utf8))
            Foundation.exit(failure.code.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == ExitCode.success { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            Foundation.exit(code == .validationFailure ? BosunExitCode.usage.rawValue : code.rawValue)
        }
    }
}

/// bosun's exit codes, as documented in the README.
public enum BosunExitCode: Int32, Sendable {
    case success = 0, invalidManifests = 1, usage = 2, sourceUnavailable = 3, internalError = 4
    /// A check found a problem (a damaged journal): the same code as invalid manifests.
    public static let checkFailed = BosunExitCode.invalidManifests
}

/// An error that ends the command with a given exit code; its message is printed after `bosun: `.
public struct CommandFailure: Error, Sendable {
    public var code: BosunExitCode
    public var message: String
    public init(_ code: BosunExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Ends the command with a status that is not one of bosun's own codes: a container's exit status.
public struct PassthroughExit: Error, Sendable {
    public var status: Int32
    public init(_ status: Int32) { self.status = status }
}

/// The version bosun reports in `--version` and records in the journal.
public enum BosunVersion {
    public static let current = "0.1.0"
}
