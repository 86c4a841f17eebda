import ArgumentParser
import BosunRuntime

/// `bosun runtime run`: create, start and wait; exits with the container's status.
struct RuntimeRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create, start and wait for a container; exit with its status (128 + signal).")

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var container: BundleArguments

    func run() throws {
        let status = try runtimeCall { () throws(RuntimeError) in
            try options.runtime.run(id: container.id, bundle: container.bundle, options: container.createOptions)
        }
        exitProcess(status)
    }
}
