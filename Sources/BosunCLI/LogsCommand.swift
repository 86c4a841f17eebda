import ArgumentParser
import BosunContainers
import BosunLogFormat
import Foundation

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
    @Argument(help: "The container's name.") var name: String

    func validate() throws {
        if let since { do { _ = try LogSince.parse(since) } catch { throw ValidationError("\(error)") } }
        if let tail, tail != "all", Int(tail).map({ $0 < 0 }) ?? true { throw ValidationError("--tail \(tail): give a number of lines or all") }
    }

    func run() throws {
        let containers = state.detachedContainers()
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
}
