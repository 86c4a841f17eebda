import ArgumentParser
import BosunContainers
import BosunHost
import Foundation
import BosunRuntimeCLI

/// `bosun rm [-f] NAME…`: removes detached containers — runtime state, cgroup, overlay, network attachment,
/// directory and logs. A running one needs -f (it is killed first).
struct RmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove detached containers (-f kills a running one first).")

    @OptionGroup var state: StateOptions
    @Flag(name: [.customShort("f"), .long], help: "Kill a running container before removing it.") var force = false
    @Argument(help: "Container names.") var names: [String]

    func run() throws {
        let containers = state.detachedContainers()
        var failed = false
        for given in names {
            let name = InventoryStore.containerID(named: given, stateDirectory: state.resolvedStateDir)
            do {
                let network = try containers.inspect(name).metadata.network
                try containers.remove(name, force: force)
                try RunNetworking.detach(state: state.resolvedStateDir, name: name, network: network)
                print(given)
            } catch {
                FileHandle.standardError.write(Data("bosun: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw CommandFailure(.internalError, "") }
    }
}
