public import BosunOCI
public import BosunRuntime
import Foundation

/// What `bosun exec` and `bosun runtime exec` share: start the process, relay its terminal, wait, and exit
/// with its status — or with Docker's 125 (bosun failed), 126 (cannot execute), 127 (not found).
public enum ExecRunner {
    public static func run(runtime: ContainerRuntime, id: String, process: () throws(RuntimeError) -> RuntimeSpec.Process,
                    options: ExecOptions, interactive: Bool, consoleSocket: String? = nil) throws -> Never {
        let result: ExecResult
        do throws(RuntimeError) {
            let started = try runtime.startExec(id: id, process: try process(), options: options)
            if options.terminal, let consoleSocket {
                try started.sendTerminal(toConsoleSocket: consoleSocket)
            } else if options.terminal && !options.detached {
                started.relayTerminal(input: interactive ? 0 : -1, output: 1)
            }
            result = started.wait()
        } catch {
            FileHandle.standardError.write(Data("bosun: \(error)\n".utf8))
            throw PassthroughExit(error.execExitCode)
        }
        throw PassthroughExit(result.status)
    }
}
