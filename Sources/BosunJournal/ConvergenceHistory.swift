public import BosunModel

/// One convergence as history shows it: its begin record, and its end record when it has one.
public struct ConvergenceSummary: Sendable {
    public var begin: JournalRecord
    public var end: JournalRecord?
    public var beginBody: ConvergenceBegin
    public var endBody: ConvergenceEnd?
    /// The `gate` record of its health gates, when it created or recreated containers (its body is
    /// BosunConverge's `GateRecord`).
    public var gate: JournalRecord?
    /// The projects this convergence's failed gates quarantined.
    public var quarantined: [QuarantineRecord] = []
    /// The quarantines released just before it (its projects' desired state changed, or `--retry`).
    public var released: [QuarantineRelease] = []
    /// For a rollback convergence, its `rollback` record (what it undoes, to which commits, why).
    public var rollback: RollbackRecord?

    public var seq: Int64 { begin.seq }
    /// The outcome, or nil while the convergence has no end (running, or interrupted before its end).
    public var outcome: ConvergenceOutcome? { endBody?.outcome }
    public var commitID: String? { beginBody.source?.commitID }
    /// `project/service` names the plan touches.
    public var services: Set<String> {
        Set(beginBody.operations.map { $0.resource.split(separator: ":").last.map(String.init) ?? $0.resource })
    }
}

/// Reads the convergences, checkpoints and desired states out of a journal's records.
public struct ConvergenceHistory: Sendable {
    public let records: [JournalRecord]
    public let convergences: [ConvergenceSummary]
    /// Every service spec stored in the journal, by key.
    public let specs: [String: JSONValue]

    /// Parses every segment's records (damaged lines are skipped here; `journal verify` reports them).
    public init(segments: [[UInt8]]) {
        self.init(records: segments.flatMap { JournalRecord.records(in: $0) })
    }

    public init(records: [JournalRecord]) {
        self.records = records
        var summaries: [ConvergenceSummary] = []
        var indexBySeq: [Int64: Int] = [:]
        var specs: [String: JSONValue] = [:]
        var releases: [QuarantineRelease] = []
        var rollback: RollbackRecord?
        for record in records {
            switch record.kind {
            case .begin:
                guard let body = try? record.body.decode(ConvergenceBegin.self) else { continue }
                indexBySeq[record.seq] = summaries.count
                specs.merge(body.specs) { first, _ in first }
                var summary = ConvergenceSummary(begin: record, end: nil, beginBody: body, endBody: nil, gate: nil)
                summary.released = releases
                summary.rollback = body.trigger == .rollback ? rollback : nil
                summaries.append(summary)
                releases = []
                rollback = nil
            case .release:
                if let body = try? record.body.decode(QuarantineRelease.self) { releases.append(body) }
            case .rollback:
                rollback = try? record.body.decode(RollbackRecord.self)
            case .quarantine:
                guard let body = try? record.body.decode(QuarantineRecord.self), let seq = body.failedSeq, let index = indexBySeq[seq] else { continue }
                summaries[index].quarantined.append(body)
            case .end:
                guard let body = try? record.body.decode(ConvergenceEnd.self), let index = indexBySeq[body.beginSeq] else { continue }
                summaries[index].end = record
                summaries[index].endBody = body
            case .gate:
                guard let beginSeq = record.body["begin_seq"]?.intValue, let index = indexBySeq[beginSeq] else { continue }
                summaries[index].gate = record
            default: continue
            }
        }
        convergences = summaries
        self.specs = specs
    }

    public func convergence(_ seq: Int64) -> ConvergenceSummary? {
        convergences.first { $0.seq == seq }
    }

    /// The redacted desired state a convergence applied, its service specs joined back from the journal.
    public func state(of convergence: ConvergenceSummary) -> JSONValue? {
        convergence.beginBody.state.flatMap { SpecStore.join($0, specs: specs) }
    }

    /// The newest checkpoint or convergence record: when checks last ran.
    public var lastActivity: JournalRecord? {
        records.last { $0.kind == .checkpoint || $0.kind == .begin || $0.kind == .end }
    }
}
