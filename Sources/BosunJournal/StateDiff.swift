public import BosunModel

/// What changed in desired state between two convergences: services added, removed, and changed field by field.
public struct StateDiff: Sendable {
    /// One changed field of one service, as dotted paths: `environment.MODE`, `ports[0].published`.
    public struct Change: Sendable, Hashable {
        public var service: String
        public var field: String
        public var old: String?
        public var new: String?
    }

    public var added: [String] = []
    public var removed: [String] = []
    public var changes: [Change] = []

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changes.isEmpty }

    /// Compares two redacted desired states (as `SecretRedactor.redact` writes them).
    public init(from old: JSONValue, to new: JSONValue) {
        let before = StateDiff.services(old)
        let after = StateDiff.services(new)
        added = after.keys.filter { before[$0] == nil }.sorted()
        removed = before.keys.filter { after[$0] == nil }.sorted()
        for name in after.keys.sorted() {
            guard let a = before[name], let b = after[name], a != b else { continue }
            let oldFields = a.flattened(), newFields = b.flattened()
            for field in Set(oldFields.keys).union(newFields.keys).sorted(by: JSONValue.byteOrder) where oldFields[field] != newFields[field] {
                changes.append(Change(service: name, field: field, old: oldFields[field], new: newFields[field]))
            }
        }
    }

    static func services(_ state: JSONValue) -> [String: JSONValue] {
        guard case .array(let projects)? = state["projects"] else { return [:] }
        var result: [String: JSONValue] = [:]
        for project in projects {
            guard let projectName = project["name"]?.stringValue, case .array(let services)? = project["services"] else { continue }
            for service in services {
                if let name = service["name"]?.stringValue { result["\(projectName)/\(name)"] = service }
            }
        }
        return result
    }
}
