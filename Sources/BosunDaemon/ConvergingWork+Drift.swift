import BosunAgent
import BosunContainers
import BosunConverge
import BosunCycle
import BosunHost
import BosunJournal
import BosunModel
import BosunNetwork
import BosunPlanner
import Foundation

/// Drift: the live state compared with the last applied desired state — containers removed or stopped, a
/// memory, CPU or pids limit changed in the cgroup, the image replaced in the store, bridges, veths and bosun's nftables
/// table — each finding with its field. Projects in enforce mode get a drift convergence (journaled, trigger
/// `drift`); projects in observe mode get a `drift` record when the findings change, and nothing is touched.
extension ConvergingWork {
    public func checkDrift() async -> AgentReport? {
        guard let applied else { return nil }
        let items = await findDrift(applied.desired)
        let now = clock()
        func mode(_ finding: DriftFinding) -> DriftMode {
            finding.project.flatMap { name in applied.desired.projects.first { $0.name == name }?.drift } ?? settings.defaultDrift
        }
        let enforced = Set(applied.desired.projects.filter { ($0.drift ?? settings.defaultDrift) == .enforce }.map(\.name))
        let correctable = items.filter { item in
            mode(item.finding) == .enforce && item.correction != .restartPolicy
        }
        let observed = items.filter { mode($0.finding) == .observe && $0.correction != .restartPolicy }
        var actions: [String: String] = [:]
        var report: AgentReport?
        if !correctable.isEmpty {
            let (outcome, seq) = await correct(correctable, applied: applied, enforced: enforced)
            for item in correctable { actions[item.finding.summary] = outcome == .converged ? "corrected" : "correction-\(outcome.rawValue)" }
            note(DriftNote(mode: .enforce, findings: correctable.map(\.finding), convergenceSeq: seq))
            for item in correctable {
                log.event("drift", ["resource": item.finding.resource, "field": item.finding.field, "expected": item.finding.expected,
                                    "actual": item.finding.actual, "mode": "enforce", "action": actions[item.finding.summary]])
            }
            report = AgentReport(commit: applied.revision?.commitID, outcome: "drift-\(outcome.rawValue)",
                                 summary: "\(correctable.count) finding\(correctable.count == 1 ? "" : "s") corrected: "
                                     + correctable.map(\.finding.summary).joined(separator: "; "),
                                 failed: outcome != .converged)
        }
        let observedFindings = observed.map(\.finding)
        if observedFindings != journaledDrift {
            if !observedFindings.isEmpty {
                note(DriftNote(mode: .observe, findings: observedFindings))
                for finding in observedFindings {
                    log.event("drift", ["resource": finding.resource, "field": finding.field, "expected": finding.expected,
                                        "actual": finding.actual, "mode": "observe", "action": "reported"])
                }
            }
            journaledDrift = observedFindings
        }
        if report == nil && !observedFindings.isEmpty {
            report = AgentReport(commit: applied.revision?.commitID, outcome: "drift-observed",
                                 summary: observedFindings.map(\.summary).joined(separator: "; "), failed: false)
        }
        snapshot.withLock { snapshot in
            snapshot.lastDriftCheck = now
            snapshot.drift = items.map { item in
                let action = item.correction == .restartPolicy ? "restart-policy" : actions[item.finding.summary] ?? "reported"
                return AgentSnapshot.Drift(finding: item.finding, mode: mode(item.finding), action: action)
            }
        }
        return report
    }

    /// Runs the drift convergence for `items`; returns its outcome and begin seq.
    func correct(_ items: [DriftItem], applied: Applied, enforced: Set<String>) async -> (ConvergenceOutcome, Int64?) {
        let networkProjects = host.inventory.inventory.networks.mapValues(\.project)
        do {
            let cycle = try makeCycle()
            var planned = 0
            let converged = try await cycle.locked.run(applied.desired, revision: applied.revision, trigger: .drift) { observed in
                let base = Planner.plan(desired: applied.desired, observed: observed)
                let plan = DriftPlan.plan(base: base, items: items, desired: applied.desired, enforced: enforced, networkProjects: networkProjects)
                planned = plan.operations.count
                return (observed, plan)
            }
            guard let result = converged else { return (.noChange, nil) }
            record(AgentReport(commit: applied.revision?.commitID, outcome: result.outcome.rawValue,
                               summary: "drift: \(planned) operations, \(result.report.failed) failed", failed: result.outcome != .converged),
                   trigger: .drift, journalSeq: result.beginSeq)
            return (result.outcome, result.beginSeq)
        } catch {
            log.event("drift-error", ["error": "\(error)"])
            return (.failed, nil)
        }
    }

    func note(_ body: DriftNote) {
        // Caught up first: a `bosun apply` beside the agent may have appended since.
        do { try journal.catchUp(); try journal.append(.drift, JSONValue.encoding(body)) } catch {
            log.event("journal-error", ["error": "\(error)"])
        }
    }

    /// Every difference between the host and `desired` that bosun can see, for what bosun created.
    func findDrift(_ desired: DesiredState) async -> [DriftItem] {
        let inventory = host.inventory.inventory
        var items: [DriftItem] = []
        var running: Set<String> = []
        for (id, record) in inventory.containers.sorted(by: { ($0.value.name, $0.key) < ($1.value.name, $1.key) }) {
            guard let (project, service) = desired.service(record.project, record.service),
                  ContainerTarget.containerName(project: project.name, service: service) == record.name,
                  inventory.containerID(named: record.name) == id else { continue }
            let resource = "\(project.name)/\(service.name)"
            func finding(_ field: String, _ expected: String, _ actual: String, _ correction: DriftItem.Correction) {
                items.append(DriftItem(finding: DriftFinding(resource: resource, project: project.name, field: field, expected: expected, actual: actual),
                                       correction: correction))
            }
            switch await host.containers.status(id) {
            case .missing:
                finding("state", "running", "removed", .replan)
                continue
            case .exited(let code):
                finding("state", "running", "exited (\(code))", .restartPolicy)
                continue
            case .created:
                continue
            case .running:
                running.insert(id)  // the network records' key
            }
            if let stats = try? containers.runtime.stats(id: id) {
                for difference in LimitDrift.differences(want: service.resources, have: stats) {
                    finding(difference.field, difference.expected, difference.actual, .updateLimits)
                }
            }
            let running = (try? containers.inspect(id))?.metadata.image?.digest
            let stored = (try? host.images.record(service.image.description))??.manifestDigest.description
            if stored == nil {
                finding("image", "\(service.image) in the image store", "missing from the image store", .replan)
            } else if let running, let stored, running != stored {
                finding("image", stored, running, .recreate)
            }
        }
        if !inventory.networks.isEmpty, let manager = try? networks(), let drift = try? manager.observe() {
            let anyNetwork = inventory.networks.keys.sorted().first { name in desired.projects.contains { $0.networks.contains { $0.name == name } } }
            // A stopped container's interfaces went with its network namespace: that is not drift.
            for item in drift where running.contains(item.container ?? "") || item.container == nil {
                items += networkItem(item, inventory: inventory, desired: desired, anyNetwork: anyNetwork)
            }
        }
        return items
    }

    func networkItem(_ drift: Drift, inventory: Inventory, desired: DesiredState, anyNetwork: String?) -> [DriftItem] {
        func containerResource(_ container: String) -> (String, String?) {
            guard let record = inventory.containers[container] else { return ("container:\(container)", nil) }
            return ("\(record.project)/\(record.service)", record.project)
        }
        switch drift {
        case .bridgeMissing(let network, let bridge), .bridgeDown(let network, let bridge):
            let actual = if case .bridgeMissing = drift { "missing" } else { "down" }
            return [DriftItem(finding: DriftFinding(resource: "network:\(network)", project: inventory.networks[network]?.project,
                                                    field: "network.bridge", expected: "\(bridge) up", actual: actual),
                              correction: .repairNetwork(network))]
        case .vethMissing(let container, let network, let veth), .vethDetached(let container, let network, let veth):
            let (resource, project) = containerResource(container)
            let actual = if case .vethMissing = drift { "\(veth) missing" } else { "\(veth) detached from the bridge" }
            return [DriftItem(finding: DriftFinding(resource: resource, project: project, field: "networks.\(network)",
                                                    expected: "\(veth) attached", actual: actual), correction: .recreate)]
        case .nftTableMissing, .nftChainDiffers:
            guard let anyNetwork else { return [] }
            let field: String, expected: String, actual: String
            if case .nftChainDiffers(let chain, let want, let have) = drift {
                (field, expected, actual) = ("nftables.chain.\(chain)", "\(want) rules", have.map { "\($0) rules" } ?? "no chain")
            } else {
                (field, expected, actual) = ("nftables.table", "table ip bosun", "missing")
            }
            return [DriftItem(finding: DriftFinding(resource: "nftables", project: inventory.networks[anyNetwork]?.project, field: field,
                                                    expected: expected, actual: actual), correction: .repairNetwork(anyNetwork))]
        }
    }
}

extension Drift {
    /// The container a finding is about, if any.
    var container: String? {
        switch self {
        case .vethMissing(let container, _, _), .vethDetached(let container, _, _): return container
        default: return nil
        }
    }
}
