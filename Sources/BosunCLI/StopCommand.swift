import ArgumentParser
import BosunContainers
import BosunHost
import Foundation
import BosunRuntimeCLI

/// `bosun stop [-t SECONDS] NAME…`: the container's stop signal, the grace period, then SIGKILL to everything
/// in its cgroup.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop detached containers (stop signal, grace period, then SIGKILL to the whole cgroup).")

    @OptionGroup var state: StateOptions
    @Option(name: [.customShort("t"), .long], help: "Seconds to wait before killing (default: the container's, else 10).") var time: Double?
    @Option(help: "Send this signal first instead of the container's stop signal.") var signal: String?
    @Argument(help: "Container names.") var names: [String]

    func validate() throws {
        if let time, time < 0 || !time.isFinite { throw ValidationError("-t \(time): give seconds, 0 or more") }
        if let signal, SignalName.number(signal) == nil { throw ValidationError("--signal \(signal): not a signal name or number") }
    }

    func run() throws {
        let containers = state.detachedContainers()
        var failed = false
        for given in names {
            let name = InventoryStore.containerID(named: given, stateDirectory: state.resolvedStateDir)
            do {
                // Recorded first, so the agent sees this exit as asked for (unless-stopped leaves it stopped).
                if (try? containers.inspect(name))?.isRunning == true { try containers.markStoppedByUser(name) }
                try containers.stop(name, signal: signal.flatMap(SignalName.number), grace: time)
                print(given)
            } catch {
                FileHandle.standardError.write(Data("bosun: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw CommandFailure(.internalError, "") }
    }
}
