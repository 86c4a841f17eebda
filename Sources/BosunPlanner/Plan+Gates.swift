/// What of a plan waits for the convergence's health gates.
extension Plan {
    /// Removals: the stops and removes of containers no longer desired, the removals of networks and volume
    /// prunes. They run only once every gate of the convergence passed, so that a commit whose new version fails
    /// its gate is rolled back to a host that still has what the commit removed — the containers and, above
    /// all, the volumes' data (docs/convergence.md, "Removals wait for the gates").
    public static let kindsAfterGates: Set<OperationKind> = [.stopContainer, .removeContainer, .removeNetwork, .removeVolume]

    /// The plan split into what runs before the gates and what runs after they passed (the removals; their
    /// dependencies on the first part are kept: the executor gets that part's outcomes as settled). Nothing is
    /// held back when an operation that runs first would wait for a removal (the planner makes no such plan).
    public var splitAtGates: (beforeGates: Plan, afterGates: Plan) {
        let held = Set(operations.filter { Self.kindsAfterGates.contains($0.kind) }.map(\.id))
        let first = operations.filter { !held.contains($0.id) }
        guard !held.isEmpty, !first.contains(where: { $0.dependsOn.contains(where: held.contains) }) else { return (self, Plan(operations: [])) }
        return (Plan(operations: first), Plan(operations: operations.filter { held.contains($0.id) }))
    }
}
