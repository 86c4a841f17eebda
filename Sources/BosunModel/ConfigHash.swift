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

    /// The hash of a whole desired state (for the journal and plan hashes): the hash of its canonical JSON.
    public static func of(_ state: DesiredState) -> String {
        of(projectsJSON: state.projects.map { canonicalJSON($0) })
    }

    /// The same hash from each project's canonical JSON, for callers that already encoded the projects.
    /// The canonical JSON of a `DesiredState` is `{"projects":[P1,P2,…]}`.
    public static func of(projectsJSON: [[UInt8]]) -> String {
        var bytes = Array(#"{"projects":["#.utf8)
        for (index, project) in projectsJSON.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += project
        }
        bytes += Array("]}".utf8)
        return "sha256:" + hex(bytes)
    }

    /// JSON with sorted keys and no insignificant white space: the canonical encoding hashes are taken over.
    public static func canonicalJSON(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain value types cannot fail; an empty result would only give a distinct hash.
        return Array((try? encoder.encode(value)) ?? Data())
    }

    /// The SHA-256 of `bytes` in lower-case hex.
    public static func hexDigest(_ bytes: [UInt8]) -> String { hex(bytes) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
