import ArgumentParser
import BosunAgent
import BosunContainers
import BosunHost
import BosunDaemon
import BosunLogFormat
import Foundation
import BosunRuntimeCLI

/// `bosun logs [-f] [--since T] [--tail N] [-t] NAME`: a detached container's output, stdout lines to stdout and
/// stderr lines to stderr, like `docker logs`.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a detached container's logs (across rotated files; -f follows until it exits).")

    @OptionGroup var state: StateOptions
    @Flag(name: [.customShort("f"), .long], help: "Keep printing new lines until the container exits.") var follow = false
    @Option(help: "Only lines since a time: RFC 3339, a date, Unix seconds, or a duration back (10m, 1h30m).") var since: String?
    @Option(name: [.customShort("n"), .long], help: "Only the last N lines (all by default).") var tail: String?
    @Flag(name: [.customShort("t"), .long], help: "Prefix each line with its RFC 3339 time.") var timestamps = false
    @Option(help: ArgumentHelp("Ask the agent on this control socket instead of reading the files (root only; not with -f).", valueName: "path"))
    var socket: String?
    @Argument(help: "The container's name.") var name: String

    func validate() throws {
        if let since { do { _ = try LogSince.parse(since) } catch { throw ValidationError("\(error)") } }
        if let tail, tail != "all", Int(tail).map({ $0 < 0 }) ?? true { throw ValidationError("--tail \(tail): give a number of lines or all") }
        if socket != nil && follow { throw ValidationError("-f reads the log files directly: drop --socket") }
    }

    func run() throws {
        if let socket { return try throughAgent(socket) }
        let containers = state.detachedContainers()
        let name = InventoryStore.containerID(named: self.name, stateDirectory: state.resolvedStateDir)
        do { _ = try containers.inspect(name) } catch { throw CommandFailure(.checkFailed, "\(error)") }
        let start = try since.map { text -> LogTimestamp in
            do { return try LogSince.parse(text) } catch { throw ValidationError("\(error)") }
        }
        let lines = tail.flatMap { Int($0) }
        let reader = containers.logs(name)
        let emit = { (entry: LogEntry) in
            let text = (timestamps ? entry.timeText + " " : "") + entry.text
            (entry.stream == .stdout ? FileHandle.standardOutput : FileHandle.standardError).write(Data(text.utf8))
        }
        guard follow else {
            reader.entries(since: start, tail: lines).forEach(emit)
            return
        }
        reader.follow(since: start, tail: lines, stop: { (try? containers.inspect(name).isRunning) != true }, emit: emit)
    }

    /// The same lines through the agent's control socket (`logs` request): stdout lines to stdout, stderr to stderr.
    func throughAgent(_ socket: String) throws {
        let request = ControlRequest(command: "logs", name: name, tail: tail.flatMap { Int($0) }, since: since, timestamps: timestamps)
        let response: ControlResponse
        do { response = try ControlClient.send(request, to: socket, timeout: 60) } catch {
            throw CommandFailure(.sourceUnavailable, error.description)
        }
        guard response.ok, case .object(let body)? = response.body, case .array(let entries)? = body["entries"] else {
            throw CommandFailure(.checkFailed, response.message)
        }
        for entry in entries {
            guard case .object(let fields) = entry, case .string(let text)? = fields["text"], case .string(let time)? = fields["time"] else { continue }
            let line = (timestamps ? time + " " : "") + text
            (fields["stream"] == .string("stderr") ? FileHandle.standardError : FileHandle.standardOutput).write(Data(line.utf8))
        }
        if body["truncated"] == .bool(true) {
            FileHandle.standardError.write(Data("bosun: only the last \(ControlRequest.maximumLogLines) lines came through the agent; use --tail or read the files\n".utf8))
        }
    }
}
