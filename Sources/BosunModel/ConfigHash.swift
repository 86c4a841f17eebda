import Crypto
import Foundation

/// Stable SHA-256 hashes of normalised specs: the same desired state always hashes the same,
/// whatever the YAML's formatting, key order or comments.
public enum ConfigHash {
    /// The hash of a service: every field that shapes its container. Ordering-only fields (depends_on),
    /// selection (profiles) and when to pull (pull_policy) are left out, as Compose does.
    public static func of(_ service: Service) -> String {
        var hashed = service
        hashed.dependsOn = []
        hashed.profiles = []
        hashed.pullPolicy = .missing
        return "sha256:" + hex(canonicalJSON(hashed))
    }

    /// The hash of a whole desired state (for the journal and plan hashes).
    public static func of(_ state: DesiredState) -> String {
        "sha256:" + hex(canonicalJSON(state))
    }

    /// JSON with sorted keys and no insignificant white space: the canonical encoding hashes are taken over.
    public static func canonicalJSON(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail; an empty result would only give a distinct hash.
        return Array((try? encoder.encode(value)) ?? Data())
    }

    static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
