import BosunAgent
import BosunConverge
import BosunJournal
public import BosunModel
import Foundation

/// What the running agent knows, for the control socket's `status`: its configuration, the last convergence,
/// the last check, drift findings and the containers' restart state. Times are milliseconds since the epoch.
public struct AgentSnapshot: Sendable {
    /// One convergence, as status shows it.
    struct Convergence: Sendable {
        var at: Int64
        var trigger: String
        var commit: String?
        var outcome: String
        var summary: String
        var journalSeq: Int64?
    }

    /// A drift finding with the mode it was handled in and what was done.
    struct Drift: Sendable {
        var finding: DriftFinding
        var mode: DriftMode
        /// `corrected`, `correction-failed`, `reported`, `restart-policy`.
        var action: String
    }

    /// One container's supervision, for status.
    struct Container: Sendable {
        var name: String
        var resource: String
        var state: String
        var policy: String
        var restarts: Int
        var crashLoop: Bool
        var leftStopped: String?
        var restartDueInMilliseconds: Int64?
        var health: String?
        var lastExitCode: Int32?
    }

    var pid = getpid()
    var startedAt: Int64
    var version = BosunVersion.current
    var repository: String?
    var ref: String?
    var path: String
    var pollInterval: String
    var driftInterval: String
    var defaultDrift: DriftMode
    var webhook: String?
    var stateDirectory: String

    public init(startedAt: Int64, repository: String?, ref: String?, path: String, pollInterval: String, driftInterval: String,
                defaultDrift: DriftMode, webhook: String?, stateDirectory: String) {
        self.startedAt = startedAt
        self.repository = repository
        self.ref = ref
        self.path = path
        self.pollInterval = pollInterval
        self.driftInterval = driftInterval
        self.defaultDrift = defaultDrift
        self.webhook = webhook
        self.stateDirectory = stateDirectory
    }

    var lastConvergence: Convergence?
    var lastCheck: (at: Int64, commit: String?)?
    var appliedCommit: String?
    var appliedSubject: String?
    var sourceError: String?
    var lastDriftCheck: Int64?
    var drift: [Drift] = []
    var containers: [Container] = []

    /// The `status` body. Shape documented in docs/agent.md ("Control socket").
    var json: JSONValue {
        func time(_ milliseconds: Int64?) -> JSONValue {
            milliseconds.map { .string(JournalTime.format(milliseconds: $0)) } ?? .null
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let convergence: JSONValue = lastConvergence.map { last in
            .object(["time": time(last.at), "trigger": .string(last.trigger), "commit": text(last.commit), "outcome": .string(last.outcome),
                     "summary": .string(last.summary), "journal_seq": last.journalSeq.map { .int($0) } ?? .null])
        } ?? .null
        let memory = ProcessMemory.figures()
        let check: JSONValue = lastCheck.map { .object(["time": time($0.at), "commit": text($0.commit)]) } ?? .null
        return .object([
            "agent": .object([
                "pid": .int(Int64(pid)), "started": time(startedAt), "version": .string(version), "state_dir": .string(stateDirectory),
                "repo": text(repository), "ref": text(ref), "path": .string(path), "interval": .string(pollInterval),
                "drift_interval": .string(driftInterval), "drift": .string(defaultDrift.rawValue), "webhook": text(webhook),
            ]),
            "memory": .object([
                "resident_bytes": .int(Int64(memory.resident)), "heap_in_use_bytes": .int(Int64(memory.heapInUse)),
                "heap_free_bytes": .int(Int64(memory.heapFree)), "heap_mapped_bytes": .int(Int64(memory.heapMapped)),
            ]),
            "source": .object(["commit": text(appliedCommit), "subject": text(appliedSubject), "error": text(sourceError)]),
            "last_convergence": convergence,
            "last_check": check,
            "drift": .object([
                "checked": time(lastDriftCheck),
                "findings": .array(drift.map { item in
                    .object([
                        "resource": .string(item.finding.resource), "project": text(item.finding.project), "field": .string(item.finding.field),
                        "expected": .string(item.finding.expected), "actual": .string(item.finding.actual),
                        "mode": .string(item.mode.rawValue), "action": .string(item.action),
                    ])
                }),
            ]),
            "containers": .array(containers.map { container in
                .object([
                    "name": .string(container.name), "resource": .string(container.resource), "state": .string(container.state),
                    "restart": .string(container.policy), "restarts": .int(Int64(container.restarts)), "crash_loop": .bool(container.crashLoop),
                    "left_stopped": text(container.leftStopped), "restart_due_ms": container.restartDueInMilliseconds.map { .int($0) } ?? .null,
                    "health": text(container.health), "last_exit_code": container.lastExitCode.map { .int(Int64($0)) } ?? .null,
                ])
            }),
        ])
    }
}
