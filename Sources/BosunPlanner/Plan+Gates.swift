/// What of a plan waits for the convergence's health gates.
extension Plan {
    /// Removals: the stops and removes of containers no longer desired, the removals of networks and volume
    /// prunes. They run only once every gate of the convergence passed, so that a commit whose new version fails
    /// its gate is rolled back to a host that still has what the commit removed — the containers and, above
    /// all, the volumes' data (docs/convergence.md, "Removals wait for the gates").
    public static let kindsAfterGates: Set<OperationKind> = [.stopContainer, .removeContainer, .removeNetwork, .removeVolume]

    /// The plan split into what runs before the gates and what runs after they passed (the removals, with
    /// their dependencies on each other). Nothing is held back when an operation that runs first would wait
    /// for a removal (the planner makes no such plan).
    public var splitAtGates: (beforeGates: Plan, afterGates: Plan) {
        let held = Set(operations.filter { Self.kindsAfterGates.contains($0.kind) }.map(\.id))
        let first = operations.filter { !held.contains($0.id) }
        guard !held.isEmpty, !first.contains(where: { $0.dependsOn.contains(where: held.contains) }) else { return (self, Plan(operations: [])) }
        var after = operations.filter { held.contains($0.id) }
        for index in after.indices { after[index].dependsOn = after[index].dependsOn.filter(held.contains) }
        return (Plan(operations: first), Plan(operations: after))
    }
}
