public import BosunPlanner

/// How one operation of a plan ended.
public enum OperationStatus: Sendable, Hashable {
    case succeeded
    /// The engine failed; the error's text.
    case failed(String)
    /// Never run: something it depends on failed, or a depends_on condition was not met. The cause names it:
    /// "skipped: network:shop_front failed".
    case skipped(String)

    public var isSuccess: Bool { self == .succeeded }
}

/// The result of one operation, with its times from the executor's clock (milliseconds since the epoch;
/// zero for skipped operations, which never started).
public struct OperationOutcome: Sendable, Hashable {
    public var id: Int
    public var status: OperationStatus
    public var startedAt: Int64
    public var endedAt: Int64
    /// Conditions that were not met but not required (`required: false`), in words.
    public var warnings: [String]

    public init(id: Int, status: OperationStatus, startedAt: Int64 = 0, endedAt: Int64 = 0, warnings: [String] = []) {
        self.id = id
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.warnings = warnings
    }

    public var durationMilliseconds: Int64 { max(0, endedAt - startedAt) }
}

/// Every operation's outcome, in plan order.
public struct ExecutionReport: Sendable, Hashable {
    public var outcomes: [OperationOutcome]
    public var startedAt: Int64
    public var endedAt: Int64

    public init(outcomes: [OperationOutcome], startedAt: Int64, endedAt: Int64) {
        self.outcomes = outcomes
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    public var succeeded: Int { outcomes.filter { $0.status.isSuccess }.count }
    public var failed: Int { outcomes.filter { if case .failed = $0.status { return true } else { return false } }.count }
    public var skipped: Int { outcomes.filter { if case .skipped = $0.status { return true } else { return false } }.count }

    /// Every operation succeeded (true for an empty plan).
    public var isComplete: Bool { outcomes.allSatisfy(\.status.isSuccess) }

    /// The outcome of operation `id`.
    public func outcome(_ id: Int) -> OperationOutcome? { outcomes.first { $0.id == id } }

    /// One line per operation: `#3 ok create shop/db`, `#4 failed start shop/db: …`, `#5 skipped …: cause`.
    public func lines(for plan: Plan) -> [String] {
        outcomes.map { outcome in
            let operation = plan.operations.first { $0.id == outcome.id }
            let what = operation.map { "\($0.kind.rawValue) \($0.resource)" } ?? "operation"
            switch outcome.status {
            case .succeeded: return "#\(outcome.id) ok      \(what)  \(outcome.durationMilliseconds) ms"
            case .failed(let error): return "#\(outcome.id) failed  \(what): \(error)"
            case .skipped(let cause): return "#\(outcome.id) skipped \(what)  (\(cause))"
            }
        }
    }
}
