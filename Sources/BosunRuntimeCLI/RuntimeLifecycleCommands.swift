import ArgumentParser
import BosunOCI
import BosunRuntime
import Foundation

struct RuntimeStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Let a created container exec its process.")
    @OptionGroup var options: RuntimeOptions
    @Argument(help: "The container id.") var id: String

    func run() throws {
        try runtimeCall { () throws(RuntimeError) in try options.runtime.start(id: id) }
    }
}

struct RuntimeStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's OCI state as JSON.")
    @OptionGroup var options: RuntimeOptions
    @Argument(help: "The container id.") var id: String

    func run() throws {
        let state = try runtimeCall { () throws(RuntimeError) in try options.runtime.state(id: id) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(state), as: UTF8.self))
    }
}

struct RuntimeKillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGTERM) to a container's init.")
    @OptionGroup var options: RuntimeOptions
    @Argument(help: "The container id.") var id: String
    @Argument(help: "A signal name or number (TERM, SIGKILL, 9).") var signal: String = "SIGTERM"

    func run() throws {
        guard let number = SignalName.number(signal) else { throw CommandFailure(.usage, "unknown signal `\(signal)`") }
        try runtimeCall { () throws(RuntimeError) in try options.runtime.kill(id: id, signal: number) }
    }
}

struct RuntimeDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a stopped container (--force kills a running one).")
    @OptionGroup var options: RuntimeOptions
    @Flag(name: [.customLong("force"), .customShort("f")], help: "Kill the container if it is running.") var force = false
    @Argument(help: "The container id.") var id: String

    func run() throws {
        try runtimeCall { () throws(RuntimeError) in try options.runtime.delete(id: id, force: force) }
    }
}

struct RuntimeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("format"), .customShort("f")], help: "table or json.") var format = "table"
    @Flag(name: [.customLong("quiet"), .customShort("q")], help: "Print ids only.") var quiet = false

    func run() throws {
        let containers = options.runtime.list()
        if quiet {
            containers.forEach { print($0.state.id) }
        } else if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(containers.map(\.state)), as: UTF8.self))
        } else {
            let formatter = ISO8601DateFormatter()
            var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED"]]
            rows += containers.map { [$0.state.id, "\($0.state.pid ?? 0)", $0.state.status, $0.state.bundle, formatter.string(from: $0.created)] }
            printTable(rows)
        }
    }
}

struct RuntimePsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the processes in a container (host pids).")
    @OptionGroup var options: RuntimeOptions
    @Option(name: [.customLong("format"), .customShort("f")], help: "table or json.") var format = "table"
    @Argument(help: "The container id.") var id: String

    func run() throws {
        let pids = try runtimeCall { () throws(RuntimeError) in try options.runtime.processes(id: id) }
        if format == "json" {
            print("[" + pids.map(String.init).joined(separator: ",") + "]")
            return
        }
        var rows = [["PID", "CMD"]]
        for pid in pids {
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            let command = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            rows.append(["\(pid)", command])
        }
        printTable(rows)
    }
}

/// Prints rows with columns padded to their widest cell.
func printTable(_ rows: [[String]]) {
    guard let columns = rows.first?.count else { return }
    let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        let cells = row.enumerated().map { index, cell in
            index == columns - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "   "))
    }
}

/// Exits the process with `code` (the container's status for `run`).
func exitProcess(_ code: Int32) -> Never {
    Foundation.exit(code)
}

/// Signal names as `kill` accepts them.
enum SignalName {
    static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11,
        "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20,
        "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29,
        "PWR": 30, "SYS": 31,
    ]

    static func number(_ text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let name = text.uppercased()
        return numbers[name.hasPrefix("SIG") ? String(name.dropFirst(3)) : name]
    }
}
