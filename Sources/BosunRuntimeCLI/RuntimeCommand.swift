public import ArgumentParser
import BosunRuntime
import Foundation

/// `bosun runtime …`: bosun's own OCI runtime, with runc's command-line surface.
public struct RuntimeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run OCI bundles as isolated processes (a runc-compatible surface).",
        subcommands: [
            RuntimeCreateCommand.self, RuntimeStartCommand.self, RuntimeStateCommand.self, RuntimeKillCommand.self,
            RuntimeDeleteCommand.self, RuntimeRunCommand.self, RuntimeListCommand.self, RuntimePsCommand.self,
            RuntimeSpecCommand.self, RuntimeUpdateCommand.self, RuntimeExecCommand.self,
        ])

    @OptionGroup var options: RuntimeOptions

    public init() {}
}

/// Options every runtime subcommand shares.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Directory for container state.")
    var root: String = ContainerRuntime.defaultRoot

    @Option(help: "Where the cgroup hierarchies are mounted.")
    var cgroupRoot: String = ContainerRuntime.defaultCgroupRoot

    var runtime: ContainerRuntime { RuntimeOptions.runtime(root: root, cgroupRoot: cgroupRoot) }

    /// The runtime with its state under `root`, warnings to stderr.
    static func runtime(root: String, cgroupRoot: String = ContainerRuntime.defaultCgroupRoot) -> ContainerRuntime {
        var runtime = ContainerRuntime(root: root, helperExecutable: RuntimeHelperLocation.path, seccompCompiler: BPFSeccompCompiler()) { warning in
            FileHandle.standardError.write(Data("bosun: warning: \(warning)\n".utf8))
        }
        runtime.cgroupRoot = cgroupRoot
        return runtime
    }
}

extension RuntimeError {
    /// The error as the CLI reports it (exit code 4, message after `bosun: `).
    var failure: CommandFailure { CommandFailure(.internalError, description) }
}

/// Runs a runtime call, turning its error into a `CommandFailure`.
@discardableResult
func runtimeCall<T>(_ body: () throws(RuntimeError) -> T) throws(CommandFailure) -> T {
    do {
        return try body()
    } catch {
        throw error.failure
    }
}
