@testable import BosunDaemon
import BosunAgent
import BosunContainers
import BosunModel
import BosunRuntime
import Foundation
import Testing

/// The control socket's `logs` request on a container directory written by hand (no root, no monitor).
@Suite("Control socket logs request")
struct AgentLogsRequestTests {
    static func containers() throws -> (DetachedContainers, String) {
        let state = "/var/tmp/bosun-logs-request-\(UUID().uuidString.prefix(8))"
        let directory = state + "/containers/web"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let metadata = #"{"name":"web","command":["sh"],"created":"2026-11-29T08:00:00Z","log":{},"labels":{},"ports":[],"bundle":"\#(directory)/bundle"}"#
        try metadata.write(toFile: directory + "/container.json", atomically: true, encoding: .utf8)
        let log = [
            #"{"log":"one\n","stream":"stdout","time":"2026-11-29T08:00:01.000000000Z"}"#,
            #"{"log":"oops\n","stream":"stderr","time":"2026-11-29T08:00:02.000000000Z"}"#,
            #"{"log":"three\n","stream":"stdout","time":"2026-11-29T08:00:03.000000000Z"}"#,
        ].joined(separator: "\n") + "\n"
        try log.write(toFile: directory + "/ctr.log", atomically: true, encoding: .utf8)
        let runtime = ContainerRuntime(root: state + "/runtime")
        return (DetachedContainers(stateDirectory: state, runtime: runtime, monitorExecutable: "/nonexistent"), state)
    }

    @Test("lines in order with their streams; tail, since and timestamps as bosun logs takes them")
    func answers() async throws {
        let (containers, state) = try Self.containers()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let all = await AgentLogsRequest.answer(ControlRequest(command: "logs", name: "web"), containers: containers)
        #expect(all.ok && all.message == "one\noops\nthree\n")
        guard case .object(let body)? = all.body, case .array(let entries)? = body["entries"] else {
            Issue.record("no entries: \(String(describing: all.body))")
            return
        }
        #expect(entries.count == 3 && body["truncated"] == .bool(false))
        #expect(entries[1] == .object(["stream": .string("stderr"), "time": .string("2026-11-29T08:00:02.000000000Z"), "text": .string("oops\n")]))
        let tail = await AgentLogsRequest.answer(ControlRequest(command: "logs", name: "web", tail: 1, timestamps: true), containers: containers)
        #expect(tail.message == "2026-11-29T08:00:03.000000000Z three\n")
        let since = await AgentLogsRequest.answer(ControlRequest(command: "logs", name: "web", since: "2026-11-29T08:00:02Z"), containers: containers)
        #expect(since.message == "oops\nthree\n")
    }

    @Test("bad requests are answered with what to do, never a crash")
    func badRequests() async throws {
        let (containers, state) = try Self.containers()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let cases: [(ControlRequest, String)] = [
            (ControlRequest(command: "logs"), "give the container's name"),
            (ControlRequest(command: "logs", name: "../etc"), "give the container's name"),
            (ControlRequest(command: "logs", name: "web", tail: -1), "tail -1: give a number of lines"),
            (ControlRequest(command: "logs", name: "web", since: "yesterday-ish"), "--since yesterday-ish"),
            (ControlRequest(command: "logs", name: "nosuch"), "logs nosuch: no such container"),
        ]
        for (request, message) in cases {
            let answer = await AgentLogsRequest.answer(request, containers: containers)
            #expect(!answer.ok && answer.message.contains(message), "\(answer.message)")
        }
    }
}
