import BosunAgent
import BosunContainers
import BosunHost
import BosunLogFormat
import BosunModel
import Foundation

/// The control socket's `logs` request: a container's log lines as `bosun logs` prints them (`tail`, `since`,
/// `timestamps`), for tooling that talks to the agent. The answer's `message` is the text (stdout and stderr
/// lines interleaved in order); its body has each entry with its stream and time, and `truncated` when more
/// than `ControlRequest.maximumLogLines` matched (the last ones are sent). Reading is off the cooperative pool.
enum AgentLogsRequest {
    static func answer(_ request: ControlRequest, containers: DetachedContainers) async -> ControlResponse {
        guard let name = request.name, !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            return ControlResponse(ok: false, message: "logs: give the container's name, as in {\"command\":\"logs\",\"name\":\"web\"}")
        }
        if let tail = request.tail, tail < 0 {
            return ControlResponse(ok: false, message: "logs \(name): tail \(tail): give a number of lines, 0 or more")
        }
        let since: LogTimestamp?
        do { since = try request.since.map { text throws(LogSince.Problem) in try LogSince.parse(text) } } catch {
            return ControlResponse(ok: false, message: "logs \(name): \(error)")
        }
        let id = InventoryStore.containerID(named: name, stateDirectory: containers.stateDirectory)
        let read = try? await Blocking.run { () throws -> [LogEntry] in
            _ = try containers.inspect(id, stats: false)
            return containers.logs(id).entries(since: since, tail: request.tail)
        }
        guard let entries = read else {
            return ControlResponse(ok: false, message: "logs \(name): no such container; `bosun ps -a` lists them")
        }
        let sent = entries.suffix(ControlRequest.maximumLogLines)
        let stamps = request.timestamps ?? false
        let text = sent.map { (stamps ? $0.timeText + " " : "") + $0.text }.joined()
        let body: JSONValue = .object([
            "name": .string(name),
            "entries": .array(sent.map { .object(["stream": .string($0.stream.rawValue), "time": .string($0.timeText), "text": .string($0.text)]) }),
            "truncated": .bool(sent.count < entries.count),
        ])
        return ControlResponse(ok: true, message: text, body: body)
    }
}
