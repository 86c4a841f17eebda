public import BosunAgent
public import BosunModel

/// Answers the control socket: `ping`, `status` (the agent's snapshot as JSON, see docs/agent.md), `sync`
/// (a convergence now; the answer comes when it ended), `start` (stopped containers started again) and `logs`
/// (a container's log lines).
public enum AgentControl {
    public static func answer(_ request: ControlRequest, loop: AgentLoop, work: ConvergingWork) async -> ControlResponse {
        switch request.command {
        case "ping":
            return ControlResponse(ok: true, message: "pong")
        case "status":
            let last = loop.lastReport
            return ControlResponse(ok: true, message: last.map { "\($0.outcome) \($0.commit.map { String($0.prefix(12)) } ?? "-")" } ?? "starting",
                                   body: await work.status())
        case "sync":
            if request.retry == true { work.retryRequested.withLock { $0 = true } }
            let report = await loop.sync(.manual)
            return ControlResponse(ok: !report.failed, message: "\(report.outcome) \(report.commit.map { String($0.prefix(12)) } ?? "-"): \(report.summary)",
                                   body: .object(["outcome": .string(report.outcome), "commit": report.commit.map(JSONValue.string) ?? .null,
                                                  "summary": .string(report.summary)]))
        case "start":
            return await work.startContainers(request.names ?? [])
        case "logs":
            return await AgentLogsRequest.answer(request, containers: work.containers)
        default:
            return ControlResponse(ok: false, message: "unknown command \(request.command); known: ping, status, sync, start, logs")
        }
    }
}

extension ConvergingWork {
    public func status() async -> JSONValue {
        snapshot.withLock { $0.json }
    }
}
