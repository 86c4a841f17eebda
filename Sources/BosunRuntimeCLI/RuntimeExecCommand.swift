import ArgumentParser
import BosunOCI
import BosunRuntime
import Foundation

/// `bosun runtime exec`: run a process in a running container, with runc's surface.
struct RuntimeExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a process in a running container.",
        discussion: """
        The process is the container's own (user, environment, capabilities, seccomp, cwd) with the arguments \
        replaced, or --process FILE.json. Exits with its status (128+signal when killed); 125 when bosun failed, \
        126 when the program cannot be executed, 127 when it is not found.
        """)

    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("process"), .customShort("p")], help: "A JSON file with an OCI `process` object to run.") var processFile: String?
    @Flag(name: [.customLong("tty"), .customShort("t")], help: "Allocate a pty in the container.") var tty = false
    @Option(help: "A unix socket that receives the pty master (with --tty).") var consoleSocket: String?
    @Option(help: "The working directory in the container.") var cwd: String?
    @Option(name: [.customLong("env"), .customShort("e")], help: "Set an environment variable (KEY=VALUE).") var env: [String] = []
    @Option(name: [.customLong("user"), .customShort("u")], help: "UID[:GID] to run as.") var user: String?
    @Option(name: [.customLong("additional-gids"), .customShort("g")], help: "An additional group id.") var additionalGids: [UInt32] = []
    @Flag(name: [.customLong("detach"), .customShort("d")], help: "Do not wait for the process.") var detach = false
    @Option(name: .customLong("pid-file"), help: "Write the process's pid here.") var pidFile: String?
    @Argument(help: "The container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func validate() throws {
        if processFile == nil && command.isEmpty { throw ValidationError("give a command or --process FILE.json") }
        if let user, RuntimeExecCommand.ids(user) == nil { throw ValidationError("--user \(user): write UID or UID:GID") }
        if detach && tty && consoleSocket == nil { throw ValidationError("--detach with --tty needs --console-socket") }
    }

    func run() throws {
        let runtime = options.runtime
        let execOptions = ExecOptions(output: .inherit, stdin: true, terminal: tty, environment: env, workingDirectory: cwd,
                                      detached: detach, pidFile: pidFile)
        try ExecRunner.run(runtime: runtime, id: id, process: { () throws(RuntimeError) in try process(runtime) }, options: execOptions,
                           interactive: true, consoleSocket: consoleSocket)
    }

    func process(_ runtime: ContainerRuntime) throws(RuntimeError) -> RuntimeSpec.Process {
        var process: RuntimeSpec.Process
        if let processFile {
            guard let data = FileManager.default.contents(atPath: processFile) else {
                throw RuntimeError("read `\(processFile)`", errno: ENOENT)
            }
            do {
                process = try JSONDecoder().decode(RuntimeSpec.Process.self, from: data)
            } catch {
                throw RuntimeError("parse `\(processFile)`", detail: "\(error)")
            }
        } else {
            process = try runtime.execProcess(id: id, arguments: command)
        }
        // runc's --user sets the ids as given; the gid stays when only a uid is given.
        if let user, let (uid, gid) = RuntimeExecCommand.ids(user) {
            process.user.uid = uid
            if let gid { process.user.gid = gid }
            process.user.username = nil
        }
        if !additionalGids.isEmpty { process.user.additionalGids = (process.user.additionalGids ?? []) + additionalGids }
        return process
    }

    static func ids(_ text: String) -> (UInt32, UInt32?)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let uid = UInt32(parts[0]), parts.count <= 2 else { return nil }
        if parts.count == 1 { return (uid, nil) }
        guard let gid = UInt32(parts[1]) else { return nil }
        return (uid, gid)
    }
}
