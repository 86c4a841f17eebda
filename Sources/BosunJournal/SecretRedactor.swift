public import BosunModel
import Crypto

/// Replaces values that may be secret — environment values, digests of files services read — by salted hashes before they reach the journal.
///
/// The salt lives outside the journal (a 0600 file beside it), so the journal alone does not allow
/// guessing values; two records with the same value still compare equal.
public struct SecretRedactor: Sendable {
    let salt: [UInt8]

    public init(salt: [UInt8]) {
        self.salt = salt
    }

    /// `hmac-sha256:<hex>` of `value`.
    public func hash(_ value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: SymmetricKey(data: salt))
        return "hmac-sha256:" + Hex.encode(mac)
    }

    /// A value as recorded: redacted when `sensitive`.
    public func value(_ text: String, sensitive: Bool) -> RecordedValue {
        sensitive ? .redacted(hash(text)) : .plain(text)
    }

    /// `text` (a probe's output) with every environment value of `state` of 4 characters or more replaced by
    /// `[redacted]`: a program may print its own configuration.
    public func scrub(_ text: String, of state: DesiredState) -> String {
        let values = Set(state.projects.flatMap { $0.services.flatMap { $0.environment.values } }).filter { $0.count >= 4 }
        return values.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// The desired state as the journal keeps it: every environment value, and every digest of a file a
    /// service reads (secrets among them), replaced by its salted hash.
    public func redact(_ state: DesiredState) -> JSONValue {
        var copy = state
        for p in copy.projects.indices {
            for s in copy.projects[p].services.indices {
                copy.projects[p].services[s].environment = copy.projects[p].services[s].environment.mapValues(hash)
                copy.projects[p].services[s].sourceDigests = copy.projects[p].services[s].sourceDigests?.mapValues(hash)
            }
        }
        return JSONValue.encoding(copy)
    }
}
