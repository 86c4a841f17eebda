import ArgumentParser
import BosunAgent
import BosunDaemon
import Foundation
import BosunRuntimeCLI

/// `bosun sync`: asks the running agent to converge now and prints the outcome once it ended.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make the running agent fetch and converge now; print the outcome when it is done.",
        discussion: "Talks to the agent's control socket (root only). Exit 0 when converged or nothing changed, 5 when a health gate failed and the projects were rolled back to their last good commit, 1 otherwise, 3 when no agent answers.")

    @Option(help: ArgumentHelp("The agent's control socket (default: $BOSUN_CONTROL_SOCKET or /run/bosun/agent.sock).", valueName: "path"))
    var socket: String?

    @Flag(help: "Print the agent's JSON answer.")
    var json = false

    @Flag(help: "Release every quarantine: converge the desired state in git as it is, even the one that failed its gate (journaled as a release).")
    var retry = false

    static func socketPath(_ given: String?) -> String {
        given ?? ProcessInfo.processInfo.environment["BOSUN_CONTROL_SOCKET"] ?? AgentConfig().controlSocket
    }

    func run() throws {
        let response: ControlResponse
        do { response = try ControlClient.send(ControlRequest(command: "sync", retry: retry ? true : nil), to: Self.socketPath(socket)) } catch {
            throw CommandFailure(.sourceUnavailable, error.description)
        }
        if json {
            print(String(decoding: (response.body ?? .null).canonicalBytes, as: UTF8.self))
        } else {
            print(response.message)
        }
        if case .string("rolled-back")? = response.body?["outcome"] { throw CommandFailure(.rolledBack, "") }
        if !response.ok { throw CommandFailure(.checkFailed, "") }
    }
}
