public import BosunModel

/// The pure function at bosun's heart: (desired, observed) → plan. Deterministic: the same inputs give the
/// same operations in the same order.
public enum Planner {
    /// Field paths (flattened JSON of a service) that change in place, without restarting the container.
    static let inPlaceFields = ["resources."]

    public static func plan(desired: DesiredState, observed: ObservedState) -> Plan {
        var builder = PlanBuilder()
        let desiredServices = desired.projects.flatMap { project in project.services.map { (project, $0) } }
        var observedByName = Dictionary(observed.containers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var keptByName = Dictionary(observed.previous.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var keptRemovals: [String: [Int]] = [:]  // container name → the recreate its kept container waits for
        var keyByName: [String: String] = [:]  // container name → its "project/service"

        // Images first: every later step on a container waits for its image.
        var imageOps: [String: Int] = [:]
        for image in Set(desiredServices.map { $0.1.image.description }).sorted() {
            let pullAlways = desiredServices.contains { $0.1.image.description == image && $0.1.pullPolicy == .always }
            if !observed.images.contains(image) || pullAlways {
                imageOps[image] = builder.add(.pullImage, "image:\(image)", observed.images.contains(image) ? "pull_policy: always" : "image not present")
            }
        }
        // Networks and volumes the containers need.
        var networkOps: [String: Int] = [:]
        var volumeOps: [String: Int] = [:]
        for project in desired.projects {
            for network in project.networks where !network.external && !observed.networks.contains(network.name) {
                networkOps[network.name] = builder.add(.createNetwork, "network:\(network.name)", "network does not exist")
            }
            for volume in project.volumes where !volume.external && !observed.volumes.contains(volume.name) {
                volumeOps[volume.name] = builder.add(.createVolume, "volume:\(volume.name)", "volume does not exist")
            }
        }
        // Containers, in depends_on order.
        var containerOps: [String: Int] = [:]  // "project/service" → the op others wait for
        for (project, service) in ServiceOrder.sorted(desired) {
            let key = "\(project.name)/\(service.name)"
            let name = service.containerName ?? "\(project.name)-\(service.name)-1"
            keyByName[name] = key
            var waits: [Int] = []
            if let op = imageOps[service.image.description] { waits.append(op) }
            for attachment in service.networks {
                if let network = project.networks.first(where: { $0.key == attachment.network }), let op = networkOps[network.name] { waits.append(op) }
            }
            for mount in service.volumes where mount.kind == .volume {
                if let source = mount.source, let volume = project.volumes.first(where: { $0.key == source }), let op = volumeOps[volume.name] { waits.append(op) }
            }
            for dependency in service.dependsOn {
                if let op = containerOps["\(project.name)/\(dependency.service)"] { waits.append(op) }
            }
            let desiredHash = ConfigHash.of(service)
            let existing = observedByName.removeValue(forKey: name)
            let changes = existing.map { FieldDiff.changes(from: recordedSpec($0, wanted: service), to: service) } ?? []
            // The container a recreate kept aside, when it has the desired configuration, is started again in
            // place of the current one: a rollback with no create, right even when a tag moved since.
            let currentDiffers = existing.map { $0.status == .missing || !changes.isEmpty } ?? true
            if let kept = keptByName[name], kept.status != .missing, currentDiffers,
               FieldDiff.changes(from: recordedSpec(kept, wanted: service), to: service).isEmpty {
                keptByName[name] = nil
                // Its own image is what it runs: no pull to wait for (`pull_policy: always` included).
                let restoreWaits = waits.filter { $0 != imageOps[service.image.description] }
                containerOps[key] = builder.add(.restoreContainer, key, "its kept container \(kept.id) has the desired configuration",
                                                dependsOn: restoreWaits, target: desiredHash)
                continue
            }
            guard let existing, existing.status != .missing else {
                // A container the host lost (bosun's inventory lists it, the host does not have it) is created again.
                let cause = existing == nil ? "no existing container" : "container is missing"
                let create = builder.add(.createContainer, key, cause, dependsOn: waits, target: desiredHash)
                containerOps[key] = builder.add(.startContainer, key, "new container", dependsOn: [create], target: desiredHash)
                continue
            }
            if changes.isEmpty {
                let kept = observed.keptStopped.contains(name) && existing.status != .created
                if case .running = existing.status {} else if !kept && (service.restart != .no || existing.status == .created) {
                    containerOps[key] = builder.add(.startContainer, key, "container is \(existing.status.word)", dependsOn: waits, target: desiredHash)
                }
                continue
            }
            let inPlace = changes.allSatisfy { change in inPlaceFields.contains { change.field.hasPrefix($0) } }
            if inPlace {
                containerOps[key] = builder.add(.updateLimits, key, FieldDiff.summary(changes), changes: changes, dependsOn: waits, target: desiredHash)
            } else {
                containerOps[key] = builder.add(.recreateContainer, key, FieldDiff.summary(changes, projectDirectory: project.directory), changes: changes, dependsOn: waits, target: desiredHash)
                keptRemovals[name] = [containerOps[key]!]
            }
        }

        // What disappeared from git: containers first (dependents before what they depend on), then networks
        // and, only when the project opts in, volumes.
        var removals: [Int] = []
        var takenDown: [String: Int] = [:]  // container name → its stop (or remove when not running)
        for container in RemovalOrder.sorted(Array(observedByName.values)) {
            // Its dependents (already placed: they come first) are down before it stops.
            let dependents = observedByName.values.filter { other in
                other.project == container.project && other.spec.dependsOn.contains { $0.service == container.service }
            }
            var waits = dependents.compactMap { takenDown[$0.name] }
            let resource = "\(container.project)/\(container.service)"
            if case .running = container.status {
                let stop = builder.add(.stopContainer, resource, "no longer in the desired state", dependsOn: waits)
                takenDown[container.name] = stop
                waits = [stop]
            }
            let remove = builder.add(.removeContainer, resource, "no longer in the desired state", dependsOn: waits)
            takenDown[container.name] = takenDown[container.name] ?? remove
            removals.append(remove)
        }
        let desiredNetworks = Set(desired.projects.flatMap { $0.networks.map(\.name) })
        for network in observed.networks.sorted() where !desiredNetworks.contains(network) {
            _ = builder.add(.removeNetwork, "network:\(network)", "no longer in the desired state", dependsOn: removals)
        }
        // A volume is deleted only when the project that owns it is still desired and opts in.
        let desiredVolumes = Set(desired.projects.flatMap { $0.volumes.map(\.name) })
        let pruningProjects = Set(desired.projects.filter(\.pruneVolumes).map(\.name))
        for volume in observed.volumes.sorted() where !desiredVolumes.contains(volume) {
            guard let owner = observed.volumeOwners[volume], pruningProjects.contains(owner) else { continue }
            _ = builder.add(.removeVolume, "volume:\(volume)", "no longer in the desired state (x-bosun prune_volumes)", dependsOn: removals)
        }
        // Kept containers go once the gates passed: the one each recreate keeps, and any kept before and not restored.
        // A kept container found here waits for what replaces it (a create after a kill in the middle of a
        // recreate): when that fails, the kept one stays.
        for name in Set(keptRemovals.keys).union(keptByName.keys).sorted() {
            let replacement = keyByName[name].flatMap { containerOps[$0] }.map { [$0] } ?? []
            _ = builder.add(.removeContainer, "kept:\(name)", "kept aside until the gates passed", dependsOn: keptRemovals[name] ?? replacement)
        }
        return Plan(operations: builder.operations)
    }
}

extension Planner {
    /// The spec a container was created from, for comparing. A container recorded without source digests (by
    /// a bosun before they existed) is compared on what it mounts where the host shows it, and otherwise taken
    /// to read what the desired state reads; one recorded with older defaults (`no_new_privileges` on for every
    /// service) is not recreated for the new default, which it gets when next recreated. So upgrading bosun
    /// recreates nothing that did not change.
    static func recordedSpec(_ existing: ObservedContainer, wanted: Service) -> Service {
        var recorded = existing.spec
        if existing.defaultsGeneration < 2 && recorded.noNewPrivileges && !wanted.noNewPrivileges {
            recorded.noNewPrivileges = false
        }
        guard recorded.sourceDigests == nil, var digests = wanted.sourceDigests else { return recorded }
        for (path, digest) in existing.sourceDigestsOnDisk ?? [:] where digests[path] != nil { digests[path] = digest }
        recorded.sourceDigests = digests
        return recorded
    }
}

/// Containers to remove, dependents before what they depend on (ties by name, descending).
enum RemovalOrder {
    static func sorted(_ containers: [ObservedContainer]) -> [ObservedContainer] {
        var remaining = containers.sorted { $0.name > $1.name }
        var result: [ObservedContainer] = []
        while !remaining.isEmpty {
            // The first whose dependents are all placed; a cycle (impossible after validation) takes the first.
            let index = remaining.firstIndex { candidate in
                !remaining.contains { other in
                    other.name != candidate.name && other.project == candidate.project
                        && other.spec.dependsOn.contains { $0.service == candidate.service }
                }
            } ?? 0
            result.append(remaining.remove(at: index))
        }
        return result
    }
}

/// Accumulates operations with consecutive ids.
struct PlanBuilder {
    var operations: [PlannedOperation] = []

    mutating func add(_ kind: OperationKind, _ resource: String, _ cause: String, changes: [PlannedChange] = [],
                      dependsOn: [Int] = [], target: String? = nil) -> Int {
        let id = operations.count
        operations.append(PlannedOperation(id: id, kind: kind, resource: resource, cause: cause, changes: changes,
                                           dependsOn: Array(Set(dependsOn)).sorted(), targetHash: target))
        return id
    }
}

extension ObservedContainer.Status {
    var word: String {
        switch self {
        case .created: return "created"
        case .running: return "running"
        case .exited(let code): return "exited (\(code))"
        case .missing: return "missing"
        }
    }
}
