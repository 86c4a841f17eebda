public import BosunModel
public import BosunPlanner

/// What one planned operation acts on, found in the desired state (what to create) or in the observed state
/// (what to stop and remove).
public enum OperationTarget: Sendable, Hashable {
    case image(ImageReference)
    case network(Network, Project)
    case volume(Volume, Project)
    case container(ContainerTarget)
    case existingContainer(ObservedContainer)
    /// The kept container to start again in place of the current one.
    case restore(ContainerTarget, kept: ObservedContainer)
    /// The container kept aside for a name (found when the operation runs: a recreate of this convergence keeps it).
    case kept(name: String)
    /// A network or volume to remove, by its host name.
    case name(String)
}

/// A depends_on condition to check before a dependent container is started.
public struct ConditionWait: Sendable, Hashable {
    /// `project/service` of the dependency.
    public var resource: String
    public var container: String
    public var condition: ServiceDependency.Condition
    public var required: Bool
}

/// Finds each operation's target by its resource (`image:REF`, `network:NAME`, `volume:NAME`,
/// `project/service`).
public struct OperationTargets: Sendable {
    let desired: DesiredState
    let observed: ObservedState
    /// A rollback's convergence: a recreate takes its order from `rollback_config`, not `update_config`.
    let rollback: Bool

    public init(desired: DesiredState, observed: ObservedState, rollback: Bool = false) {
        self.desired = desired
        self.observed = observed
        self.rollback = rollback
    }

    /// The target of `operation`; throws when the plan names something neither state has.
    public func target(of operation: PlannedOperation) throws(ConvergeError) -> OperationTarget {
        let resource = operation.resource
        switch operation.kind {
        case .pullImage:
            let reference = String(resource.dropFirst("image:".count))
            for project in desired.projects {
                if let service = project.services.first(where: { $0.image.description == reference }) { return .image(service.image) }
            }
        case .createNetwork:
            let name = String(resource.dropFirst("network:".count))
            for project in desired.projects {
                if let network = project.networks.first(where: { $0.name == name }) { return .network(network, project) }
            }
        case .createVolume:
            let name = String(resource.dropFirst("volume:".count))
            for project in desired.projects {
                if let volume = project.volumes.first(where: { $0.name == name }) { return .volume(volume, project) }
            }
        case .createContainer, .startContainer, .updateLimits, .recreateContainer, .restoreContainer:
            if let (project, service) = desiredService(resource) {
                let hash = operation.targetHash ?? ConfigHash.of(service)
                let policy = rollback ? RolloutPolicy.rollback(service, projectDefault: project.rollbackConfig)
                    : RolloutPolicy.update(service, projectDefault: project.updateConfig)
                let target = ContainerTarget(project: project, service: service,
                                             name: ContainerTarget.containerName(project: project.name, service: service), configHash: hash,
                                             order: policy.order)
                guard operation.kind == .restoreContainer else { return .container(target) }
                if let kept = observed.previous.first(where: { $0.name == target.name }) { return .restore(target, kept: kept) }
            }
        case .removeContainer where resource.hasPrefix("kept:"):
            return .kept(name: String(resource.dropFirst("kept:".count)))
        case .stopContainer, .removeContainer:
            let desiredNames = Set(desired.projects.flatMap { project in
                project.services.map { ContainerTarget.containerName(project: project.name, service: $0) }
            })
            if let container = observed.containers.first(where: { "\($0.project)/\($0.service)" == resource && !desiredNames.contains($0.name) }) {
                return .existingContainer(container)
            }
        case .removeNetwork:
            return .name(String(resource.dropFirst("network:".count)))
        case .removeVolume:
            return .name(String(resource.dropFirst("volume:".count)))
        }
        throw ConvergeError("find \(operation.kind.rawValue) \(resource)", cause: "neither the desired nor the observed state has it",
                            hint: "the plan does not match the states it is executed against")
    }

    /// The depends_on conditions to check before `operation` starts a container.
    public func conditions(of operation: PlannedOperation) -> [ConditionWait] {
        guard [.startContainer, .recreateContainer, .restoreContainer].contains(operation.kind),
              let (project, service) = desiredService(operation.resource) else { return [] }
        return service.dependsOn.compactMap { dependency in
            guard let target = project.services.first(where: { $0.name == dependency.service }) else { return nil }
            return ConditionWait(resource: "\(project.name)/\(target.name)",
                                 container: ContainerTarget.containerName(project: project.name, service: target),
                                 condition: dependency.condition, required: dependency.required)
        }
    }

    func desiredService(_ resource: String) -> (Project, Service)? {
        let parts = resource.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let project = desired.projects.first(where: { $0.name == parts[0] }),
              let service = project.services.first(where: { $0.name == parts[1] }) else { return nil }
        return (project, service)
    }
}
