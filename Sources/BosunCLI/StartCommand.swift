import ArgumentParser
import BosunAgent
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun start NAME…`: starts stopped containers again, like `docker start` — a service container of bosun's
/// convergence or a `bosun run -d` container — from the same bundle, upper layer, logs and network addresses.
/// When the agent runs on this state directory the start goes through its control socket, so it also forgets
/// that it held the container stopped (`bosun stop`, a restart policy that gave up).
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start stopped containers again (service containers and bosun run -d ones).",
        discussion: "Through the running agent when it runs on this state directory (control socket, root only), else directly. Exit 0, or 4 when a container could not be started.")

    @OptionGroup var state: StateOptions
    @Option(help: ArgumentHelp("The agent's control socket (default: $BOSUN_CONTROL_SOCKET or /run/bosun/agent.sock).", valueName: "path"))
    var socket: String?
    @Argument(help: "Container names.") var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("give the names of the containers to start (`bosun ps -a` lists them)") }
    }

    func run() async throws {
        let results: [(name: String, error: String?)]
        if let agent = await AgentConnection.find(socket: socket, stateDirectory: state.resolvedStateDir) {
            let response: ControlResponse
            do { response = try await agent.send(ControlRequest(command: "start", names: names)) } catch {
                throw CommandFailure(.internalError, "\(error)")
            }
            results = Self.results(of: response, names: names)
        } else {
            let starter = try ContainerStarter.standalone(state: state)
            var collected: [(name: String, error: String?)] = []
            for name in names {
                do {
                    _ = try await starter.start(name)
                    collected.append((name, nil))
                } catch {
                    collected.append((name, (error as? CommandFailure)?.message ?? "\(error)"))
                }
            }
            results = collected
        }
        for result in results {
            if let error = result.error {
                FileHandle.standardError.write(Data("bosun: \(error)\n".utf8))
            } else {
                print(result.name)
            }
        }
        if results.contains(where: { $0.error != nil }) { throw CommandFailure(.internalError, "") }
    }

    /// Each name with its error (nil when started or already running), from the agent's `start` answer.
    static func results(of response: ControlResponse, names: [String]) -> [(name: String, error: String?)] {
        guard case .object(let body)? = response.body, case .array(let entries)? = body["results"] else {
            return names.map { ($0, response.ok ? nil : response.message) }
        }
        return entries.compactMap { entry in
            guard case .object(let fields) = entry, case .string(let name)? = fields["name"] else { return nil }
            if case .string(let error)? = fields["error"] { return (name, error) }
            return (name, nil)
        }
    }
}
