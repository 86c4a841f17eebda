public import BosunModel
public import BosunPlanner

/// The gate step of a convergence: every service whose container it created or recreated must start, be
/// healthy when it has a health check (within start_period + interval × retries, and a probe's timeout), and
/// stay running and not unhealthy for its `monitor` (`RolloutPolicy`); a one-shot service (one that another
/// depends on with `service_completed_successfully`) must exit 0, and an exit 0 that the service's restart
/// policy leaves (`no`, `on-failure`) is a job done at any point. The gates of different services run at once.
public struct HealthGate: Sendable {
    /// One container the gate watches.
    public struct Target: Sendable, Hashable {
        public var resource: String
        public var container: String
        public var policy: RolloutPolicy
        /// A one-shot service (another depends on it with `service_completed_successfully`): good when it exits 0.
        public var oneShot: Bool
        /// Its restart policy leaves a container that exited 0 (`no`, `on-failure`): such an exit, at any point
        /// of the gate, is a job done, not a failure.
        public var mayComplete: Bool

        public init(resource: String, container: String, policy: RolloutPolicy, oneShot: Bool = false, mayComplete: Bool = false) {
            self.resource = resource
            self.container = container
            self.policy = policy
            self.oneShot = oneShot
            self.mayComplete = mayComplete
        }
    }

    public var engine: any ConvergenceEngine
    /// Monotonic time (the host's `ContinuousClock` since the gate was made; a stepping one in tests).
    public var now: @Sendable () -> Duration
    /// How long to wait for a container to be seen running.
    public var startTimeout: Duration
    /// How long a one-shot service may run.
    public var completionTimeout: Duration
    /// How often the monitor looks at a container.
    public var pollInterval: Duration
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(engine: any ConvergenceEngine, now: (@Sendable () -> Duration)? = nil, startTimeout: Duration = .seconds(60),
                completionTimeout: Duration = .seconds(300), pollInterval: Duration = .milliseconds(250),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.engine = engine
        let origin = ContinuousClock.now
        self.now = now ?? { ContinuousClock.now - origin }
        self.startTimeout = startTimeout
        self.completionTimeout = completionTimeout
        self.pollInterval = pollInterval
        self.sleep = sleep
    }

    /// The containers `plan` creates or recreates, with their services' policies: `update_config`'s, or
    /// `rollback_config`'s for a rollback.
    public static func targets(plan: Plan, desired: DesiredState, rollback: Bool = false) -> [Target] {
        targets(resources: plan.operations.filter { [.createContainer, .recreateContainer, .restoreContainer].contains($0.kind) }.map(\.resource),
                desired: desired, rollback: rollback)
    }

    /// The containers of `resources` (`project/service`) in `desired`, with their services' policies.
    public static func targets(resources: [String], desired: DesiredState, rollback: Bool = false) -> [Target] {
        var targets: [Target] = []
        for resource in resources {
            let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let project = desired.projects.first(where: { $0.name == parts[0] }),
                  let service = project.services.first(where: { $0.name == parts[1] }) else { continue }
            let oneShot = project.services.contains { other in
                other.dependsOn.contains { $0.service == service.name && $0.condition == .completedSuccessfully }
            }
            targets.append(Target(resource: resource, container: ContainerTarget.containerName(project: project.name, service: service),
                                  policy: rollback ? RolloutPolicy.rollback(service, projectDefault: project.rollbackConfig)
                                      : RolloutPolicy.update(service, projectDefault: project.updateConfig), oneShot: oneShot,
                                  mayComplete: service.restart.leavesExitZero))
        }
        return targets
    }

    /// Runs every target's gate at once; the results in the targets' order.
    public func run(_ targets: [Target]) async -> [GateResult] {
        await withTaskGroup(of: (Int, GateResult).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await self.gate(target)) }
            }
            var results: [(Int, GateResult)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// One container's gate. A start-first update's new container takes the traffic over once it runs and is
    /// healthy, before its monitor (`ConvergenceEngine.takeOver`); one that fails its gate keeps none of it
    /// when its failure action is rollback (the old container serves on until the rollback restores it), and
    /// takes it over anyway otherwise (pause and continue leave the new version in place, as stop-first does).
    public func gate(_ target: Target) async -> GateResult {
        var switched = false
        var verdict = await judge(target, switched: &switched)
        guard !switched, !Task.isCancelled, verdict.passed || target.policy.failureAction != .rollback else { return verdict }
        do {
            verdict.takeOver = try await engine.takeOver(container: target.container)
        } catch where verdict.passed {
            verdict.passed = false
            verdict.check = .takeOver
            verdict.reason = "\(error)"
        } catch {
            verdict.reason = (verdict.reason ?? "failed") + "; the traffic could not be moved to it either: \(error)"
        }
        return verdict
    }

    /// The checks of one container's gate; `switched` says whether the traffic was taken over on the way.
    func judge(_ target: Target, switched: inout Bool) async -> GateResult {
        let started = now()
        var moved: TakeOver?
        func result(_ passed: Bool, _ check: GateResult.Check, _ reason: String? = nil, output: String? = nil) -> GateResult {
            let elapsed = now() - started
            var gate = GateResult(resource: target.resource, container: target.container, passed: passed, check: check,
                                  durationMilliseconds: max(0, elapsed.wholeMilliseconds),
                                  reason: reason, output: output)
            gate.takeOver = moved
            return gate
        }
        if target.oneShot {
            do {
                let code = try await engine.waitCompleted(container: target.container, timeout: completionTimeout)
                return code == 0 ? result(true, .completed) : result(false, .completed, "it exited with code \(code)")
            } catch {
                return result(false, .completed, "\(error)")
            }
        }
        /// An exit 0 its restart policy leaves is the job done.
        func completed(_ observation: GateObservation) -> Bool {
            target.mayComplete && observation.status == .exited(code: 0)
        }
        do {
            try await engine.waitStarted(container: target.container, timeout: startTimeout)
        } catch {
            if completed(await engine.gateObservation(container: target.container)) { return result(true, .completed) }
            return result(false, .started, "\(error)")
        }
        let first = await engine.gateObservation(container: target.container)
        if let check = first.check {
            // In Duration (128 bits): `retries` may be as large as the manifest allows; a day is the most waited.
            let budget = min(.nanoseconds(check.startPeriod.nanoseconds) + .nanoseconds(check.interval.nanoseconds) * max(1, check.retries)
                + .nanoseconds(check.timeout.nanoseconds), .seconds(86_400))
            let health: HealthStatus
            do {
                health = try await engine.waitHealthy(container: target.container, timeout: budget)
            } catch {
                let seen = await engine.gateObservation(container: target.container)
                if completed(seen) { return result(true, .completed, output: seen.lastOutput) }
                return result(false, .healthy, "\(error)", output: seen.lastOutput ?? first.lastOutput)
            }
            if health != .healthy {
                let seen = await engine.gateObservation(container: target.container)
                let why = health == .unhealthy ? "its health check failed \(check.retries) times in a row"
                    : "it was not healthy within \(ComposeDuration.seconds(budget.components.seconds))"
                return result(false, .healthy, why, output: seen.lastOutput)
            }
        }
        // Running, and healthy when it has a check: a start-first update's new container takes the traffic now,
        // and is watched serving it.
        do {
            moved = try await engine.takeOver(container: target.container)
            switched = true
        } catch {
            return result(false, .takeOver, "\(error)")
        }
        // The monitor: from now (started, and healthy when it has a check), it must keep running, and not turn
        // unhealthy, for the whole period.
        let until = now() + .nanoseconds(target.policy.monitor.nanoseconds)
        var last = first
        repeat {
            last = await engine.gateObservation(container: target.container)
            if completed(last) { return result(true, .completed, output: last.lastOutput) }
            switch last.status {
            case .running:
                if last.health == .unhealthy {
                    return result(false, .monitor, "it turned unhealthy within its \(target.policy.monitor) monitor", output: last.lastOutput)
                }
            case .exited(let code):
                return result(false, .monitor, "it exited with code \(code) within its \(target.policy.monitor) monitor", output: last.lastOutput)
            case .created, .missing:
                return result(false, .monitor, "it stopped running within its \(target.policy.monitor) monitor", output: last.lastOutput)
            }
            if now() >= until { break }
            do { try await sleep(pollInterval) } catch { return result(false, .monitor, "the gate was cancelled") }
        } while now() < until
        return result(true, .monitor, output: last.lastOutput)
    }
}
