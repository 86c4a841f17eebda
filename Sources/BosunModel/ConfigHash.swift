import Crypto

/// Stable SHA-256 hashes of normalised specs: the same desired state always hashes the same,
/// whatever the YAML's formatting, key order or comments — and whatever the JSON library's formatting,
/// since the hash is taken over `JSONValue.canonicalBytes`.
public enum ConfigHash {
    /// The hash of a service: every field that shapes its container. Ordering-only fields (depends_on),
    /// selection (profiles) and when to pull (pull_policy) are held at their defaults, as Compose does; how it
    /// is updated (update_config, rollback_config) is left out.
    public static func of(_ service: Service) -> String {
        of(serviceJSON: JSONValue.encoding(service))
    }

    /// The same hash from a service already encoded (as `render` has it).
    public static func of(serviceJSON: JSONValue) -> String {
        guard case .object(var fields) = serviceJSON else { return digest(serviceJSON.canonicalBytes) }
        fields["depends_on"] = .array([])
        fields["profiles"] = .array([])
        fields["pull_policy"] = .string(PullPolicy.missing.rawValue)
        fields["update_config"] = nil
        fields["rollback_config"] = nil
        return digest(JSONValue.object(fields).canonicalBytes)
    }

    /// The hash of one project's desired state: what a quarantine is keyed by, so a commit that changes only
    /// other projects leaves it in place.
    public static func of(_ project: Project) -> String {
        digest(JSONValue.encoding(project).canonicalBytes)
    }

    /// The hash of a whole desired state (for the journal and plan hashes).
    public static func of(_ state: DesiredState) -> String {
        of(stateJSON: JSONValue.encoding(state))
    }

    /// The same hash from a desired state already encoded.
    public static func of(stateJSON: JSONValue) -> String {
        digest(stateJSON.canonicalBytes)
    }

    /// `sha256:` and the lower-case hex SHA-256 of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> String {
        "sha256:" + Hex.encode(SHA256.hash(data: bytes))
    }
}
