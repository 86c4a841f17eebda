import ArgumentParser
import BosunRuntime

struct RuntimeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a container from a bundle; its process waits for `start`.")

    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("bundle"), .customShort("b")], help: "The bundle directory (config.json and rootfs).")
    var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container's pid here.")
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "A unix socket that receives the pty master when process.terminal is true.")
    var consoleSocket: String?
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        try runtimeCall { () throws(RuntimeError) in
            try options.runtime.create(id: id, bundle: bundle, options: CreateOptions(pidFile: pidFile, consoleSocket: consoleSocket))
        }
    }
}

struct RuntimeRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create, start and wait for a container; exit with its status (128 + signal).")

    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("bundle"), .customShort("b")], help: "The bundle directory (config.json and rootfs).")
    var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container's pid here.")
    var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "A unix socket that receives the pty master when process.terminal is true.")
    var consoleSocket: String?
    @Argument(help: "The container id.")
    var id: String

    func run() throws {
        let status = try runtimeCall { () throws(RuntimeError) in
            try options.runtime.run(id: id, bundle: bundle, options: CreateOptions(pidFile: pidFile, consoleSocket: consoleSocket))
        }
        exitProcess(status)
    }
}
