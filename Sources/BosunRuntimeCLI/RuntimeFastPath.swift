import BosunRuntime
import Foundation

/// `bosun runtime [--root R] run|create [-b B] [--pid-file F] [--console-socket S] ID`, the container-start
/// commands an OCI caller runs most, read by hand and run synchronously on the main thread: no argument
/// parser, no task, no dispatch threads — a few milliseconds of every container start. Any other spelling
/// (an unknown flag, `--help`, a missing id) is left to the full parser, which gives the same result or the
/// usual error.
public enum RuntimeFastPath {
    /// Runs the command and exits when argv is one the fast path reads; returns otherwise.
    public static func runIfPossible(_ arguments: [String]) {
        guard let invocation = RuntimeInvocation(arguments) else { return }
        let runtime = RuntimeOptions.runtime(root: invocation.root, cgroupRoot: invocation.cgroupRoot)
        let options = CreateOptions(pidFile: invocation.pidFile, consoleSocket: invocation.consoleSocket)
        do throws(RuntimeError) {
            switch invocation.command {
            case .create:
                try runtime.create(id: invocation.id, bundle: invocation.bundle, options: options)
                exit(0)
            case .run:
                exit(try runtime.run(id: invocation.id, bundle: invocation.bundle, options: options))
            }
        } catch {
            FileHandle.standardError.write(Data("bosun: \(error.failure.message)\n".utf8))
            exit(error.failure.code.rawValue)
        }
    }
}

/// A `runtime run|create` command line the fast path can run. Pure.
struct RuntimeInvocation: Equatable {
    enum Command: String { case run, create }
    var command: Command
    var root = ContainerRuntime.defaultRoot
    var cgroupRoot = ContainerRuntime.defaultCgroupRoot
    var bundle = "."
    var pidFile: String?
    var consoleSocket: String?
    var id: String

    /// Reads argv (with the program name first), or nil for anything but the plain forms.
    init?(_ arguments: [String]) {
        guard arguments.count > 2, arguments[1] == "runtime" else { return nil }
        var command: Command?
        var root: String?, cgroupRoot: String?, bundle: String?, pidFile: String?, consoleSocket: String?, id: String?
        var index = 2
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word.hasPrefix("-") {
                var name = word
                var value: String?
                if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                    name = String(word[..<equals])
                    value = String(word[word.index(after: equals)...])
                    // The parser reads `--name=` as `--name` followed by the next word.
                    guard value?.isEmpty == false else { return nil }
                }
                if value == nil {
                    // The parser refuses a separate value that looks like an option (`--pid-file -x`).
                    guard index < arguments.count, arguments[index] == "-" || !arguments[index].hasPrefix("-") else { return nil }
                    value = arguments[index]
                    index += 1
                }
                // runc's global `--root` (and bosun's `--cgroup-root`) go anywhere; the rest belong to the subcommand.
                guard name == "--root" || name == "--cgroup-root" || command != nil else { return nil }
                switch name {
                case "--root": root = value
                case "--cgroup-root": cgroupRoot = value
                case "--bundle", "-b": bundle = value
                case "--pid-file": pidFile = value
                case "--console-socket": consoleSocket = value
                default: return nil
                }
            } else if command == nil {
                guard let known = Command(rawValue: word) else { return nil }
                command = known
            } else if id == nil {
                id = word
            } else {
                return nil
            }
        }
        guard let command, let id, !id.isEmpty else { return nil }
        self.command = command
        self.id = id
        if let root { self.root = root }
        if let cgroupRoot { self.cgroupRoot = cgroupRoot }
        if let bundle { self.bundle = bundle }
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
    }
}
