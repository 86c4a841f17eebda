import ArgumentParser
import BosunRuntime

/// The arguments `create` and `run` share: the bundle, runc's pid-file and console-socket options, the id.
struct BundleArguments: ParsableArguments {
    @Option(name: [.customLong("bundle"), .customShort("b")], help: "The bundle directory (config.json and rootfs).")
    var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container's pid here.")
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "A unix socket that receives the pty master when process.terminal is true.")
    var consoleSocket: String?
    @Argument(help: "The container id.")
    var id: String

    var createOptions: CreateOptions { CreateOptions(pidFile: pidFile, consoleSocket: consoleSocket) }
}

/// `bosun runtime create`: the container's process waits for `start`.
struct RuntimeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a container from a bundle; its process waits for `start`.")

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var container: BundleArguments

    func run() throws {
        try runtimeCall { () throws(RuntimeError) in
            try options.runtime.create(id: container.id, bundle: container.bundle, options: container.createOptions)
        }
    }
}
