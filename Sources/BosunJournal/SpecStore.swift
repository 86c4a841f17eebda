public import BosunModel

/// Splits a redacted desired state into a skeleton with `{"spec": KEY}` per service and the specs by key,
/// and joins them back.
public enum SpecStore {
    /// The key of a service spec: the SHA-256 of its canonical JSON.
    public static func key(_ spec: JSONValue) -> String {
        ConfigHash.digest(spec.canonicalBytes)
    }

    /// The skeleton of `state`; `found` is called with each service's key and spec.
    public static func split(_ state: JSONValue, _ found: (String, JSONValue) -> Void) -> JSONValue {
        mapServices(state) { service in
            let key = key(service)
            found(key, service)
            return .object(["spec": .string(key)])
        }
    }

    /// The full state from a skeleton and the specs; nil when a spec is missing.
    public static func join(_ skeleton: JSONValue, specs: [String: JSONValue]) -> JSONValue? {
        var missing = false
        let joined = mapServices(skeleton) { reference in
            guard let key = reference["spec"]?.stringValue, let spec = specs[key] else {
                missing = true
                return reference
            }
            return spec
        }
        return missing ? nil : joined
    }

    static func mapServices(_ state: JSONValue, _ transform: (JSONValue) -> JSONValue) -> JSONValue {
        guard case .object(var root) = state, case .array(let projects)? = root["projects"] else { return state }
        root["projects"] = .array(projects.map { project in
            guard case .object(var fields) = project, case .array(let services)? = fields["services"] else { return project }
            fields["services"] = .array(services.map(transform))
            return .object(fields)
        })
        return .object(root)
    }
}
