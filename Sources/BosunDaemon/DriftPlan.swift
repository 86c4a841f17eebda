import BosunConverge
import BosunJournal
import BosunModel
import BosunPlanner

/// A drift finding and how enforce mode corrects it.
struct DriftItem: Sendable {
    /// How a finding is corrected.
    enum Correction: Sendable, Hashable {
        /// Not by drift: the restart policy decides (a stopped or killed container).
        case restartPolicy
        /// The planner's plan against the last applied state covers it (a removed container, a lost image).
        case replan
        /// Apply the service's limits again, in place.
        case updateLimits
        /// Recreate the container (its image was replaced, its network interface lost).
        case recreate
        /// Repair the network (bridge, address, nftables rules) with `ensureNetwork`.
        case repairNetwork(String)
    }

    var finding: DriftFinding
    var correction: Correction
}

/// Builds the plan of a drift convergence: the planner's plan against the last applied desired state, without
/// the operations of projects in observe mode (and what depends on them), plus the in-place corrections the
/// planner cannot see (limits changed on the host, a replaced image, a damaged network).
enum DriftPlan {
    static func plan(base: Plan, items: [DriftItem], desired: DesiredState, enforced: Set<String>, networkProjects: [String: String]) -> Plan {
        func project(of resource: String) -> String? {
            if resource.hasPrefix("network:") {
                let name = String(resource.dropFirst("network:".count))
                return networkProjects[name] ?? desired.projects.first { $0.networks.contains { $0.name == name } }?.name
            }
            if resource.hasPrefix("volume:") {
                let name = String(resource.dropFirst("volume:".count))
                return desired.projects.first { $0.volumes.contains { $0.name == name } }?.name
            }
            if resource.hasPrefix("image:") { return nil }
            if resource.hasPrefix("kept:") {  // a kept container, by its name
                let name = String(resource.dropFirst("kept:".count))
                return desired.projects.first { project in
                    project.services.contains { ContainerTarget.containerName(project: project.name, service: $0) == name }
                }?.name
            }
            return resource.split(separator: "/", maxSplits: 1).first.map(String.init)
        }
        // Images are kept when an enforced project uses them.
        let enforcedImages = Set(desired.projects.filter { enforced.contains($0.name) }.flatMap { $0.services.map { "image:\($0.image)" } })
        var dropped: Set<Int> = []
        var kept: [PlannedOperation] = []
        for operation in base.operations.sorted(by: { $0.id < $1.id }) {
            let owner = project(of: operation.resource)
            let allowed = owner.map(enforced.contains) ?? enforcedImages.contains(operation.resource)
            if !allowed || operation.dependsOn.contains(where: dropped.contains) {
                dropped.insert(operation.id)
            } else {
                kept.append(operation)
            }
        }
        var builder = Renumbering(kept)
        for item in items {
            let resource = item.finding.resource
            switch item.correction {
            case .restartPolicy, .replan:
                continue
            case .updateLimits, .recreate:
                guard let owner = project(of: resource), enforced.contains(owner), !builder.has(resource),
                      let (_, service) = desired.service(owner, String(resource.dropFirst(owner.count + 1))) else { continue }
                let kind: OperationKind = item.correction == .updateLimits ? .updateLimits : .recreateContainer
                let waits = builder.ids(of: "image:\(service.image)")
                // Every finding of this kind on the container goes into its one operation (memory, CPUs and pids at once).
                let same = items.filter { $0.finding.resource == resource && $0.correction == item.correction }.map(\.finding)
                builder.add(kind, resource, "drift: " + same.map { "\($0.field) is \($0.actual) on the host, \($0.expected) desired" }.joined(separator: "; "),
                            changes: same.map { PlannedChange(field: $0.field, old: $0.actual, new: $0.expected) },
                            dependsOn: waits, target: ConfigHash.of(service))
                let kept = "kept:" + ContainerTarget.containerName(project: owner, service: service)
                if kind == .recreateContainer && !builder.has(kept) {
                    builder.add(.removeContainer, kept, "kept aside until the gates passed", changes: [], dependsOn: [builder.operations.count - 1], target: nil)
                }
            case .repairNetwork(let name):
                let resource = "network:\(name)"
                guard let owner = project(of: resource), enforced.contains(owner), !builder.has(resource) else { continue }
                builder.add(.createNetwork, resource, "drift: \(item.finding.field) is \(item.finding.actual) on the host", changes: [], dependsOn: [],
                            target: nil)
            }
        }
        return Plan(operations: builder.operations)
    }

    /// Operations renumbered from 0 with their dependencies mapped, plus added ones.
    struct Renumbering {
        var operations: [PlannedOperation] = []
        var newID: [Int: Int] = [:]

        init(_ kept: [PlannedOperation]) {
            for operation in kept {
                var copy = operation
                copy.id = operations.count
                newID[operation.id] = copy.id
                copy.dependsOn = operation.dependsOn.compactMap { newID[$0] }
                operations.append(copy)
            }
        }

        func has(_ resource: String) -> Bool { operations.contains { $0.resource == resource } }
        func ids(of resource: String) -> [Int] { operations.filter { $0.resource == resource }.map(\.id) }

        mutating func add(_ kind: OperationKind, _ resource: String, _ cause: String, changes: [PlannedChange], dependsOn: [Int], target: String?) {
            operations.append(PlannedOperation(id: operations.count, kind: kind, resource: resource, cause: cause, changes: changes,
                                               dependsOn: dependsOn, targetHash: target))
        }
    }
}
