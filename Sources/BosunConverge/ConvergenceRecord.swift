public import BosunJournal
public import BosunModel
public import BosunPlanner

/// Turns a convergence into the journal's records: the begin record (what is about to happen, secrets as
/// salted hashes) and the end record (each operation's result and the outcome).
public enum ConvergenceRecord {
    /// The begin record of converging to `desired` with `plan`.
    public static func begin(trigger: ConvergenceTrigger, source: SourceRevision?, desired: DesiredState, plan: Plan,
                             redactor: SecretRedactor) -> ConvergenceBegin {
        var services: [String: String] = [:]
        for project in desired.projects {
            for service in project.services { services["\(project.name)/\(service.name)"] = ConfigHash.of(service) }
        }
        let operations = plan.operations.map { operation in
            RecordedOperation(id: operation.id, resource: operation.resource, kind: operation.kind.rawValue, cause: operation.cause,
                              changes: operation.changes.map { change in
                                  FieldChange(field: change.field,
                                              old: change.old.map { redactor.value($0, sensitive: change.sensitive) },
                                              new: change.new.map { redactor.value($0, sensitive: change.sensitive) })
                              })
        }
        return ConvergenceBegin(trigger: trigger, source: source, desiredStateHash: ConfigHash.of(desired), services: services,
                                state: redactor.redact(desired), planHash: plan.hash, operations: operations)
    }

    /// The begin record of a convergence refused before planning (manifests that do not load): no desired
    /// state, so its hashes are empty and it has no operations.
    public static func refusedBegin(trigger: ConvergenceTrigger, source: SourceRevision?) -> ConvergenceBegin {
        ConvergenceBegin(trigger: trigger, source: source, desiredStateHash: "", services: [:], state: nil, planHash: "", operations: [])
    }

    /// How a run ended: converged when everything succeeded, failed when nothing did, partially failed otherwise.
    public static func outcome(_ report: ExecutionReport) -> ConvergenceOutcome {
        if report.outcomes.isEmpty { return .noChange }
        if report.isComplete { return .converged }
        return report.succeeded == 0 ? .failed : .partiallyFailed
    }

    /// The end record of the convergence begun at `beginSeq`.
    public static func end(beginSeq: Int64, report: ExecutionReport, imageDigests: [String: String]) -> ConvergenceEnd {
        let results = report.outcomes.map { outcome -> OperationResult in
            let warnings = outcome.warnings.isEmpty ? nil : outcome.warnings
            switch outcome.status {
            case .succeeded:
                return OperationResult(id: outcome.id, ok: true, warnings: warnings, durationMilliseconds: outcome.durationMilliseconds)
            case .failed(let error):
                return OperationResult(id: outcome.id, ok: false, error: error, warnings: warnings, durationMilliseconds: outcome.durationMilliseconds)
            case .skipped(let cause):
                return OperationResult(id: outcome.id, ok: false, skipped: cause, warnings: warnings, durationMilliseconds: outcome.durationMilliseconds)
            }
        }
        let outcome = outcome(report)
        let reason: String? = switch outcome {
        case .failed, .partiallyFailed: "\(report.failed) failed, \(report.skipped) skipped, \(report.succeeded) succeeded"
        default: nil
        }
        return ConvergenceEnd(beginSeq: beginSeq, outcome: outcome, reason: reason, results: results, imageDigests: imageDigests,
                              durationMilliseconds: max(0, report.endedAt - report.startedAt))
    }
}
