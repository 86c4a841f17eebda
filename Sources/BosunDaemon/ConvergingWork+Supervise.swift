import BosunAgent
import BosunContainers
import BosunConverge
import BosunJournal
import BosunModel
import BosunPlanner
import Foundation

/// Restart policies: the monitor writes `exit.json` when a container's init exits, so noticing an exit costs
/// one `access(2)` per container per tick; the exit is then decided by `RestartSupervision` (backoff, crash
/// loops, on-failure counts, manual stops) and the restart carried out when due.
extension ConvergingWork {
    /// The monotonic clock restart delays are measured on, in nanoseconds.
    static func monotonic() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    /// The stopped containers a convergence must leave stopped (asked by the planner's observation).
    func keepStopped(_ observed: ObservedState) -> Set<String> {
        let inventory = host.inventory.inventory
        var kept: Set<String> = []
        for container in observed.containers {
            guard case .exited(let code) = container.status else { continue }
            let exit = ExitRecord.read(exitPath(container.id))
            let stoppedByUser = containers.wasStoppedByUser(container.id)
            let keep = restarts.withLock { supervision in
                supervision.keepStopped(container.name, policy: container.spec.restart,
                                        configHash: inventory.containers[container.id]?.configHash ?? "", exit: Self.identity(exit),
                                        exitCode: code, stoppedByUser: stoppedByUser, atStartup: atStartup)
            }
            if keep { kept.insert(container.name) }
        }
        return kept
    }

    /// The monitor's exit record of the container `id`.
    func exitPath(_ id: String) -> String { containers.directory(id) + "/exit.json" }

    static func identity(_ exit: ExitRecord?) -> String {
        exit.map { "\($0.finishedAt.seconds).\($0.finishedAt.nanoseconds)" } ?? "no-exit-record"
    }

    public func supervise() async {
        guard let applied else { return }
        let inventory = host.inventory.inventory
        var views: [AgentSnapshot.Container] = []
        // Restart counts and what the agent shows go by name; what is read and done on the host, by id.
        for (id, record) in inventory.containers.sorted(by: { ($0.value.name, $0.key) < ($1.value.name, $1.key) }) {
            guard let (project, service) = applied.desired.service(record.project, record.service),
                  ContainerTarget.containerName(project: project.name, service: service) == record.name,
                  inventory.containerID(named: record.name) == id else { continue }
            let name = record.name
            let target = ContainerTarget(project: project, service: service, name: name, configHash: record.configHash)
            var state = "running"
            // Read before deciding: a record that vanished meanwhile (`bosun start` forgot it) is no exit.
            let exit = access(exitPath(id), F_OK) == 0 ? ExitRecord.read(exitPath(id)) : nil
            if exit != nil || access(exitPath(id), F_OK) == 0 {
                state = "exited (\(exit?.exitCode ?? -1))"
                await noticeExit(target, id: id, exit: exit)
            } else if restarts.withLock({ $0.isHeld(name) }) {
                switch await host.containers.status(id) {
                case .running: restarts.withLock { $0.running(name) }
                case .exited(let code): state = "exited (\(code))"
                case .created: state = "created"
                case .missing: state = "missing"
                }
            } else {
                await watchHealth(target, id: id)
                await restartIfUnhealthy(target, id: id)
            }
            views.append(view(target, state: state))
        }
        for name in restarts.withLock({ $0.due(now: Self.monotonic()) }) {
            guard let id = inventory.containerID(named: name), let record = inventory.containers[id],
                  let (project, service) = applied.desired.service(record.project, record.service) else { continue }
            await restart(ContainerTarget(project: project, service: service, name: name, configHash: record.configHash), id: id)
        }
        var withHealth = views
        for index in withHealth.indices {
            let name = withHealth[index].name
            withHealth[index].health = await host.health.state(of: inventory.containerID(named: name) ?? name).map(\.status.rawValue)
        }
        snapshot.withLock { $0.containers = withHealth }
        await saveRestarts()
    }

    /// Decides about an exit of the container `id` the first time it is seen.
    func noticeExit(_ target: ContainerTarget, id: String, exit: ExitRecord?) async {
        let name = target.name
        let identity = Self.identity(exit)
        let stoppedByUser = containers.wasStoppedByUser(id)
        let ranFor: Int64 = exit.flatMap { exit in
            exit.startedAt.map { (exit.finishedAt.seconds - $0.seconds) * 1_000_000_000 + Int64(exit.finishedAt.nanoseconds - $0.nanoseconds) }
        } ?? 0
        let code = exit?.exitCode ?? -1
        let action = restarts.withLock { supervision in
            supervision.exited(name, policy: target.service.restart, configHash: target.configHash, exit: identity, exitCode: code,
                               ranFor: ranFor, stoppedByUser: stoppedByUser, now: Self.monotonic())
        }
        if action != .none { await host.health.unwatch(container: id) }
        let restartsSoFar = restarts.withLock { $0.entries[name]?.tracker.restarts ?? 0 }
        let resource = "\(target.project.name)/\(target.service.name)"
        let policy = target.service.restart.description
        switch action {
        case .none:
            return
        case .leave(let reason):
            log.event("exit", ["container": name, "exit_code": String(code), "restart": policy, "action": "left", "reason": reason])
            note(RestartNote(container: name, resource: resource, policy: policy, action: .left, exitCode: code, restarts: restartsSoFar, reason: reason))
        case .restart(let delay, let crashLoopStarted):
            let looping = restarts.withLock { $0.entries[name]?.isCrashLooping ?? false }
            log.event("exit", ["container": name, "exit_code": String(code), "restart": policy, "action": "restart",
                               "delay_ms": String(delay / 1_000_000), "restarts": String(restartsSoFar), "crash_loop": looping ? "true" : nil])
            if crashLoopStarted {
                log.event("crash-loop", ["container": name, "restart": policy, "restarts": String(restartsSoFar), "level": "warning"])
                note(RestartNote(container: name, resource: resource, policy: policy, action: .crashLoop, exitCode: code, restarts: restartsSoFar,
                                 delayMilliseconds: delay / 1_000_000, reason: "\(RestartTracker.crashLoopRuns) runs in a row shorter than 10s"))
            } else if !looping {
                note(RestartNote(container: name, resource: resource, policy: policy, action: .restarted, exitCode: code, restarts: restartsSoFar,
                                 delayMilliseconds: delay / 1_000_000))
            }
        }
    }

    /// Starts the container `id` whose restart is due; a failed start counts as an exit (so backoff applies).
    func restart(_ target: ContainerTarget, id: String) async {
        // Started meanwhile by other means (`bosun start`): nothing to do but stop holding it.
        if case .running = await host.containers.status(id) {
            restarts.withLock { $0.running(target.name) }
            return
        }
        do {
            try await host.startContainer(target)
            restarts.withLock { $0.running(target.name) }
            log.event("restarted", ["container": target.name, "restart": target.service.restart.description])
        } catch {
            log.event("restart-failed", ["container": target.name, "error": "\(error)"])
            let action = restarts.withLock { supervision in
                supervision.exited(target.name, policy: target.service.restart, configHash: target.configHash,
                                   exit: "start-failed-\(Self.monotonic())", exitCode: -1, ranFor: 0, stoppedByUser: false, now: Self.monotonic())
            }
            if case .leave(let reason) = action {
                note(RestartNote(container: target.name, resource: "\(target.project.name)/\(target.service.name)",
                                 policy: target.service.restart.description, action: .left, exitCode: nil, restarts: 0, reason: reason))
            }
        }
    }

    /// A running container with a health check that this process does not probe yet (it was started before
    /// the agent) is watched from now on.
    func watchHealth(_ target: ContainerTarget, id: String) async {
        guard let check = host.healthCheck(id: id), await host.health.state(of: id) == nil else { return }
        await host.health.watch(container: id, check: check, startedAt: clock(), address: await host.containers.address(id))
    }

    /// An unhealthy container is stopped (its stop signal, its grace period) when its policy restarts it: its
    /// exit is then restarted like any other, with backoff.
    func restartIfUnhealthy(_ target: ContainerTarget, id: String) async {
        guard target.service.restart != .no, await host.health.state(of: id)?.status == .unhealthy else { return }
        await host.health.unwatch(container: id)
        log.event("unhealthy", ["container": target.name, "restart": target.service.restart.description, "action": "stop then restart"])
        note(RestartNote(container: target.name, resource: "\(target.project.name)/\(target.service.name)", policy: target.service.restart.description,
                         action: .stoppedUnhealthy, exitCode: nil, restarts: restarts.withLock { $0.entries[target.name]?.tracker.restarts ?? 0 },
                         reason: "its health check failed \(host.healthCheck(id: id)?.retries ?? 0) times in a row"))
        let grace = Duration.nanoseconds(target.service.stopGracePeriod?.nanoseconds ?? 10_000_000_000)
        do { try await host.containers.stop(id, signal: target.service.stopSignal, grace: grace) } catch {
            log.event("stop-failed", ["container": target.name, "error": "\(error)"])
        }
    }

    func view(_ target: ContainerTarget, state: String) -> AgentSnapshot.Container {
        let entry = restarts.withLock { $0.entries[target.name] }
        var shown = state
        if let due = entry?.restartDue { shown = "restarting" + (state == "running" ? "" : " (\(state))") + " in \(max(0, due - Self.monotonic()) / 1_000_000) ms" }
        return AgentSnapshot.Container(
            name: target.name, resource: "\(target.project.name)/\(target.service.name)", state: shown, policy: target.service.restart.description,
            restarts: entry?.tracker.restarts ?? 0, crashLoop: entry?.isCrashLooping ?? false, leftStopped: entry?.leftStopped,
            restartDueInMilliseconds: entry?.restartDue.map { max(0, $0 - Self.monotonic()) / 1_000_000 }, health: nil,
            lastExitCode: entry?.lastExitCode)
    }

    /// Appends a restart note to the journal; a journal that cannot be written is logged, not fatal.
    func note(_ body: RestartNote) {
        do { try journal.catchUp(); try journal.append(.restart, JSONValue.encoding(body)) } catch {
            log.event("journal-error", ["error": "\(error)"])
        }
    }
}

extension DesiredState {
    /// The project and service named, if desired.
    func service(_ project: String, _ service: String) -> (Project, Service)? {
        guard let found = projects.first(where: { $0.name == project }), let match = found.services.first(where: { $0.name == service }) else { return nil }
        return (found, match)
    }
}
