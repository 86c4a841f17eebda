import ArgumentParser
import Foundation
import Glibc
import BosunLinux

/// The small `bosun` executable's dispatch. It links the runtime and nothing of git, YAML, HTTP or networking,
/// so a container start pays a few milliseconds less process start-up (a quarter of the 160 MB whole CLI's
/// pages and none of its 30 shared libraries): `bosun runtime …` runs here; any other command line is handed,
/// unchanged and in the same process (`execv`), to `bosun-cli` installed beside it.
public enum FrontCommand {
    /// The whole command line's executable name, looked up next to this one.
    public static let fullExecutableName = "bosun-cli"

    /// Runs `bosun runtime …` and exits; execs `bosun-cli` for anything else. Never returns.
    public static func run(_ arguments: [String]) -> Never {
        if arguments.count > 1 && arguments[1] == "runtime" { RuntimeRoot.runAndExit(Array(arguments.dropFirst())) }
        guard let path = fullExecutablePath() else {
            FileHandle.standardError.write(Data(
                "bosun: cannot find `\(fullExecutableName)`: /proc/self/exe is unreadable and argv[0] names no directory\n".utf8))
            exit(BosunExitCode.internalError.rawValue)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(path, argv)
        let reason = Errno.text(errno)
        FileHandle.standardError.write(Data(
            "bosun: cannot run `\(path)`: \(reason); install `\(fullExecutableName)` next to `bosun` (see README, Install)\n".utf8))
        exit(BosunExitCode.internalError.rawValue)
    }

    /// `bosun-cli` in the directory of this executable.
    static func fullExecutablePath() -> String? { RuntimeHelperLocation.beside(fullExecutableName) }

    /// The full executable's path beside `executable`; nil for a name without a directory. Pure.
    static func besideExecutable(_ executable: String) -> String? {
        RuntimeHelperLocation.beside(fullExecutableName, executable: executable)
    }
}

/// `bosun` with only the `runtime` subcommand: the front's parser, so usage and help read `bosun runtime …`.
struct RuntimeRoot: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bosun", subcommands: [RuntimeCommand.self])

    /// Parses `arguments` (without the program name), runs the command and exits with bosun's codes.
    static func runAndExit(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch {
            Glibc.exit(CommandFailure.report(error, exitCode: exitCode(for: error), message: fullMessage(for: error)))
        }
    }
}
