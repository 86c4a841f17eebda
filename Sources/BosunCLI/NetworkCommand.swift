import BosunModel
import ArgumentParser
import BosunNetwork
import Foundation
import BosunRuntimeCLI

/// `bosun network ls|rm`: the bridge networks bosun created (by `bosun run --network NAME`, later the agent).
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "List and remove bosun's bridge networks.",
        subcommands: [NetworkListCommand.self, NetworkRemoveCommand.self])
}

/// `bosun network ls`.
struct NetworkListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.")
    @OptionGroup var state: StateOptions

    func run() async throws {
        let manager = try state.networkManager()
        var rows = [["NAME", "BRIDGE", "SUBNET", "GATEWAY", "INTERNAL"]]
        for network in manager.networks {
            rows.append([network.name, network.bridge, "\(network.subnet)", "\(network.gateway)", network.isInternal ? "yes" : "no"])
        }
        print(TextTable.render(rows))
    }
}

/// `bosun network rm NAME`: removes the bridge, its addresses and its firewall rules (refused while attached).
struct NetworkRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a network (refused while containers are attached).")
    @OptionGroup var state: StateOptions
    @Argument(help: "The network's name.") var name: String

    func run() async throws {
        let manager = try state.networkManager()
        guard manager.networks.contains(where: { $0.name == name }) else {
            throw CommandFailure(.checkFailed, "no network \(name) (see bosun network ls)")
        }
        do { try manager.removeNetwork(named: name) } catch { throw CommandFailure(.checkFailed, "\(error)") }
        print("removed \(name)")
    }
}

extension StateOptions {
    func networkManager() throws -> NetworkManager {
        do { return try NetworkManager(stateDirectory: StateLayout(resolvedStateDir).network) } catch {
            throw CommandFailure(.internalError, "cannot open the network state in \(resolvedStateDir)/network: \(error)")
        }
    }
}
