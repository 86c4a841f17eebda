import BosunAgent
import BosunModel
import Foundation

/// The control socket's `start` request: stopped containers started again (`bosun start` while the agent
/// runs), and the agent's hold on them released — a `bosun stop` or a restart policy that left them stopped no
/// longer keeps them down, and their restart policy applies again from now on with a fresh count (as
/// `docker start` resets Docker's).
/// Starts a stopped container again (`bosun start`'s starter, which holds the convergence lock); answers
/// `started` or `already running`.
public protocol ContainerStarting: Sendable {
    func start(_ name: String) async throws -> String
}

extension ConvergingWork {
    func startContainers(_ names: [String]) async -> ControlResponse {
        guard !names.isEmpty else { return ControlResponse(ok: false, message: "start: give container names, as in {\"command\":\"start\",\"names\":[\"web\"]}") }
        var results: [JSONValue] = []
        var lines: [String] = []
        var failed = false
        for name in names {
            // Released before the start, not after: a container that dies at once must find its policy in force
            // (supervision sees it running while held and stops holding it anyway).
            restarts.withLock { $0.startedOnRequest(name) }
            do {
                let outcome = try await starter.start(name)
                log.event("started", ["container": name, "by": "request", "outcome": outcome])
                results.append(.object(["name": .string(name), "outcome": .string(outcome)]))
                lines.append("\(name): \(outcome)")
            } catch {
                failed = true
                let message = "\(error)"
                log.event("start-failed", ["container": name, "error": message])
                results.append(.object(["name": .string(name), "outcome": .string("failed"), "error": .string(message)]))
                lines.append("\(name): \(message)")
            }
        }
        await saveRestarts()
        return ControlResponse(ok: !failed, message: lines.joined(separator: "\n"), body: .object(["results": .array(results)]))
    }
}
