import BosunAgent
import BosunDaemon
import BosunHost
import BosunModel
import Foundation

/// The agent that runs on a given state directory, reached through its control socket: `bosun start` asks it
/// (so it forgets that it held the container stopped) rather than acting behind its back. An agent on another
/// state directory, or none, is not used.
struct AgentConnection: Sendable {
    let socket: String

    /// The agent answering on `socket` (default: `$BOSUN_CONTROL_SOCKET` or /run/bosun/agent.sock) when its
    /// state directory is `stateDirectory`; nil otherwise.
    static func find(socket given: String?, stateDirectory: String) async -> AgentConnection? {
        let socket = SyncCommand.socketPath(given)
        guard FileManager.default.fileExists(atPath: socket) else { return nil }
        let connection = AgentConnection(socket: socket)
        guard let status = try? await connection.send(ControlRequest(command: "status"), timeout: 5), status.ok,
              case .object(let body)? = status.body, case .object(let agent)? = body["agent"],
              case .string(let directory)? = agent["state_dir"] else { return nil }
        return Self.samePath(directory, stateDirectory) ? connection : nil
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        func resolved(_ path: String) -> String {
            guard let real = realpath(path, nil) else { return (path as NSString).standardizingPath }
            defer { free(real) }
            return String(cString: real)
        }
        return resolved(a) == resolved(b)
    }

    /// One request, answered off the cooperative pool (the answer may take as long as the agent's work).
    func send(_ request: ControlRequest, timeout: Int = 3600) async throws -> ControlResponse {
        let socket = socket
        return try await Blocking.run { try ControlClient.send(request, to: socket, timeout: timeout) }
    }
}
