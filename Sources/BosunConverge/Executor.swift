public import BosunModel
public import BosunPlanner

/// Runs a plan through an engine. It decides nothing: the plan says what and after what. Operations whose
/// dependencies all succeeded run concurrently (at most `concurrency` at once, the lowest id first); a
/// dependent's depends_on conditions are checked (through the engine's waits) before it is started; an
/// operation that fails, or whose required condition is not met, makes everything that depends on it,
/// transitively, skipped with that cause, and the rest still converges. When the task is cancelled, operations
/// in flight finish and nothing new starts.
public struct Executor: Sendable {
    public var engine: any ConvergenceEngine
    /// Milliseconds since the epoch.
    public var clock: @Sendable () -> Int64
    /// How many operations may run at once (at least 1).
    public var concurrency: Int
    /// How long a condition wait (started, healthy, completed) may take.
    public var conditionTimeout: Duration
    /// A rollback's convergence: recreates are ordered by the services' `rollback_config`.
    public var rollback = false

    public init(engine: any ConvergenceEngine, clock: @escaping @Sendable () -> Int64, concurrency: Int = 8,
                conditionTimeout: Duration = .seconds(300)) {
        self.engine = engine
        self.clock = clock
        self.concurrency = max(1, concurrency)
        self.conditionTimeout = conditionTimeout
    }

    /// The cause of operations never started because the convergence was cancelled.
    public static let stoppedCause = "skipped: the convergence was stopped"

    /// Runs every operation of `plan`; never throws: each operation's outcome says how it went. `settled`
    /// are outcomes of operations an earlier run of the same convergence decided (the part before the gates):
    /// an operation of `plan` waiting for one of them runs when it succeeded and is skipped when it did not.
    public func run(_ plan: Plan, desired: DesiredState, observed: ObservedState, settled: [OperationOutcome] = []) async -> ExecutionReport {
        let started = clock()
        let targets = OperationTargets(desired: desired, observed: observed, rollback: rollback)
        var outcomes: [Int: OperationOutcome] = [:]
        /// For failed and skipped operations: the cause their dependents are skipped with.
        var causes: [Int: String] = [:]
        let planned = Set(plan.operations.map(\.id))
        for outcome in settled where !planned.contains(outcome.id) {
            outcomes[outcome.id] = outcome
            if !outcome.status.isSuccess { causes[outcome.id] = "skipped: #\(outcome.id) did not succeed" }
        }
        var pending = plan.operations.sorted { $0.id < $1.id }
        await withTaskGroup(of: (OperationOutcome, String?).self) { group in
            var running = 0
            while true {
                var launchable: [PlannedOperation] = []
                var stillPending: [PlannedOperation] = []
                for operation in pending {
                    if let blocker = operation.dependsOn.first(where: { causes[$0] != nil }) {
                        causes[operation.id] = causes[blocker]
                        outcomes[operation.id] = OperationOutcome(id: operation.id, status: .skipped(causes[blocker]!))
                    } else if Task.isCancelled {
                        // Stopping (the agent got SIGTERM): what has started finishes, nothing new starts.
                        causes[operation.id] = Executor.stoppedCause
                        outcomes[operation.id] = OperationOutcome(id: operation.id, status: .skipped(Executor.stoppedCause))
                    } else if operation.dependsOn.allSatisfy({ outcomes[$0]?.status == .succeeded }) && running + launchable.count < concurrency {
                        launchable.append(operation)
                    } else {
                        stillPending.append(operation)
                    }
                }
                pending = stillPending
                for operation in launchable {
                    running += 1
                    group.addTask { await self.perform(operation, targets: targets) }
                }
                guard running > 0, let (outcome, cause) = await group.next() else { break }
                running -= 1
                outcomes[outcome.id] = outcome
                if let cause { causes[outcome.id] = cause }
            }
        }
        // Anything left waits on an operation the plan does not have: a malformed plan, reported as skipped.
        for operation in pending where outcomes[operation.id] == nil {
            outcomes[operation.id] = OperationOutcome(id: operation.id, status: .skipped("skipped: it waits for an operation the plan does not have"))
        }
        let ordered = plan.operations.compactMap { outcomes[$0.id] }.sorted { $0.id < $1.id }
        return ExecutionReport(outcomes: ordered, startedAt: started, endedAt: clock())
    }

    /// One operation: its conditions, then the engine call. Returns the outcome and, when it did not
    /// succeed, the cause its dependents are skipped with.
    func perform(_ operation: PlannedOperation, targets: OperationTargets) async -> (OperationOutcome, String?) {
        let started = clock()
        var warnings: [String] = []
        for wait in targets.conditions(of: operation) {
            guard let unmet = await check(wait) else { continue }
            if wait.required {
                let cause = "skipped: " + unmet
                return (OperationOutcome(id: operation.id, status: .skipped(cause), startedAt: started, endedAt: clock(), warnings: warnings), cause)
            }
            warnings.append(unmet + " (not required: going on)")
        }
        do {
            try await call(operation, on: try targets.target(of: operation))
            return (OperationOutcome(id: operation.id, status: .succeeded, startedAt: started, endedAt: clock(), warnings: warnings), nil)
        } catch {
            let failure = OperationOutcome(id: operation.id, status: .failed(String(describing: error)), startedAt: started, endedAt: clock(), warnings: warnings)
            return (failure, "skipped: \(operation.resource) failed")
        }
    }

    /// Nil when the condition is met; otherwise why not, in words.
    func check(_ wait: ConditionWait) async -> String? {
        do {
            switch wait.condition {
            case .started:
                try await engine.waitStarted(container: wait.container, timeout: conditionTimeout)
                return nil
            case .healthy:
                let health = try await engine.waitHealthy(container: wait.container, timeout: conditionTimeout)
                return health == .healthy ? nil : "\(wait.resource) is \(health == .starting ? "not healthy in time" : "unhealthy")"
            case .completedSuccessfully:
                let code = try await engine.waitCompleted(container: wait.container, timeout: conditionTimeout)
                return code == 0 ? nil : "\(wait.resource) did not complete successfully (exit \(code))"
            }
        } catch is CancellationError {
            return String(Executor.stoppedCause.dropFirst("skipped: ".count))  // stopped while waiting: not the dependency's fault
        } catch {
            return "\(wait.resource) did not reach \(wait.condition.rawValue): \(error)"
        }
    }

    func call(_ operation: PlannedOperation, on target: OperationTarget) async throws {
        switch (operation.kind, target) {
        case (.pullImage, .image(let image)): try await engine.pullImage(image)
        case (.createNetwork, .network(let network, let project)): try await engine.createNetwork(network, project: project)
        case (.createVolume, .volume(let volume, let project)): try await engine.createVolume(volume, project: project)
        case (.createContainer, .container(let container)): try await engine.createContainer(container)
        case (.startContainer, .container(let container)): try await engine.startContainer(container)
        case (.updateLimits, .container(let container)): try await engine.updateLimits(container)
        case (.recreateContainer, .container(let container)): try await engine.recreateContainer(container)
        case (.stopContainer, .existingContainer(let container)): try await engine.stopContainer(container)
        case (.removeContainer, .existingContainer(let container)): try await engine.removeContainer(container)
        case (.restoreContainer, .restore(let container, let kept)): try await engine.restoreContainer(container, kept: kept)
        case (.removeContainer, .kept(let name)): try await engine.removeKept(named: name)
        case (.removeNetwork, .name(let name)): try await engine.removeNetwork(named: name)
        case (.removeVolume, .name(let name)): try await engine.removeVolume(named: name)
        default:
            throw ConvergeError("\(operation.kind.rawValue) \(operation.resource)", cause: "the operation does not apply to \(target)")
        }
    }
}
