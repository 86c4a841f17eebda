import BosunModel

/// A plan: operations in an order that respects every dependency, each with its resource and its cause.
/// Plans are data; the executor decides nothing.
public struct Plan: Sendable, Hashable {
    public var operations: [PlannedOperation]

    public init(operations: [PlannedOperation]) { self.operations = operations }

    /// SHA-256 of the plan's canonical JSON: `apply --plan-hash` refuses a plan that changed since shown.
    public var hash: String {
        ConfigHash.digest(JSONValue.array(operations.map(\.json)).canonicalBytes)
    }

    public var isEmpty: Bool { operations.isEmpty }

    /// How many operations of each kind, for the summary line.
    public func count(_ kinds: Set<OperationKind>) -> Int { operations.filter { kinds.contains($0.kind) }.count }
}

/// What an operation does.
public enum OperationKind: String, Sendable, Hashable, Codable, CaseIterable {
    case pullImage = "pull"
    case createNetwork = "create-network"
    case createVolume = "create-volume"
    case createContainer = "create"
    case startContainer = "start"
    case updateLimits = "update-limits"
    case recreateContainer = "recreate"
    /// Starts again the container a recreate kept aside, in place of the current one (a rollback's fast path).
    case restoreContainer = "restore"
    case stopContainer = "stop"
    case removeContainer = "remove"
    case removeNetwork = "remove-network"
    case removeVolume = "remove-volume"
}

/// One field that changes: `image`, `environment.MODE`, `resources.memory`. Values of sensitive fields
/// (environment) are marked so the journal stores only salted hashes of them.
public struct PlannedChange: Sendable, Hashable {
    public var field: String
    public var old: String?
    public var new: String?
    public var sensitive: Bool

    public init(field: String, old: String?, new: String?, sensitive: Bool = false) {
        self.field = field
        self.old = old
        self.new = new
        self.sensitive = sensitive
    }
}

/// One operation: its index, kind, resource (`project/service`, `network:NAME`, `image:REF`), cause, field
/// changes, and the operations it must wait for.
public struct PlannedOperation: Sendable, Hashable {
    public var id: Int
    public var kind: OperationKind
    public var resource: String
    public var cause: String
    public var changes: [PlannedChange]
    public var dependsOn: [Int]
    /// The config hash the resource will have (containers): a changed secret changes the plan's hash too.
    public var targetHash: String?

    public init(id: Int, kind: OperationKind, resource: String, cause: String, changes: [PlannedChange] = [], dependsOn: [Int] = [],
                targetHash: String? = nil) {
        self.id = id
        self.kind = kind
        self.resource = resource
        self.cause = cause
        self.changes = changes
        self.dependsOn = dependsOn
        self.targetHash = targetHash
    }

    var json: JSONValue {
        .object([
            "target_hash": targetHash.map(JSONValue.string) ?? .null,
            "id": .int(Int64(id)), "kind": .string(kind.rawValue), "resource": .string(resource), "cause": .string(cause),
            "depends_on": .array(dependsOn.map { .int(Int64($0)) }),
            "changes": .array(changes.map { change in
                .object([
                    "field": .string(change.field), "sensitive": .bool(change.sensitive),
                    "old": change.sensitive ? .string(change.old == nil ? "" : "(set)") : change.old.map(JSONValue.string) ?? .null,
                    "new": change.sensitive ? .string(change.new == nil ? "" : "(set)") : change.new.map(JSONValue.string) ?? .null,
                ])
            }),
        ])
    }
}
