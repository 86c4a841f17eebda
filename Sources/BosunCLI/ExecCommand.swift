import ArgumentParser
import BosunHost
import BosunRuntime
import BosunRuntimeCLI

/// `bosun exec NAME -- CMD…`: like `docker exec`, in a container started by `bosun run`.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command in a running container.",
        discussion: """
        The command runs in all of the container's namespaces and its cgroup, as its user, with its \
        capabilities, seccomp profile, environment and working directory unless overridden. Exits with its \
        status; 125 when bosun failed, 126 when the command cannot be executed, 127 when it is not found.
        """)

    @OptionGroup var state: StateOptions
    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-terminal.") var tty = false
    @Flag(name: [.customShort("i"), .long], help: "Keep stdin open (send it to the command).") var interactive = false
    @Flag(name: [.customShort("d"), .long], help: "Run the command in the background.") var detach = false
    @Option(name: [.customShort("u"), .long], help: "User: NAME, UID, NAME:GROUP or UID:GID (names from the container's files).") var user: String?
    @Option(name: [.customShort("e"), .long], help: "Set an environment variable (KEY=VALUE).") var env: [String] = []
    @Option(name: [.customShort("w"), .long], help: "Working directory in the container.") var workdir: String?
    @Argument(help: "The container's name.") var name: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func validate() throws {
        if arguments.isEmpty { throw ValidationError("give a command: bosun exec NAME -- CMD…") }
        if detach && tty { throw ValidationError("-d and -t cannot be combined") }
    }

    /// The command without the `--` that separates it from bosun's options.
    var arguments: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() throws {
        let runtime = state.detachedContainers().runtime
        let name = InventoryStore.containerID(named: self.name, stateDirectory: state.resolvedStateDir)
        let options = ExecOptions(output: .inherit, stdin: interactive, terminal: tty, environment: env, user: user,
                                  workingDirectory: workdir, detached: detach)
        try ExecRunner.run(runtime: runtime, id: name, process: { () throws(RuntimeError) in
            var process = try runtime.execProcess(id: name, arguments: arguments)
            // As docker exec -t: a terminal type when the container's environment has none.
            if tty && !(process.env ?? []).contains(where: { $0.hasPrefix("TERM=") }) { process.env = (process.env ?? []) + ["TERM=xterm"] }
            return process
        }, options: options, interactive: interactive)
    }
}
