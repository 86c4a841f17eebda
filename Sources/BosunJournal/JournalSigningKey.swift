import Crypto
import BosunModel
import Foundation

/// The host's journal identity: an ed25519 key that signs every `end` record and the `genesis` (the
/// signature covers the record's place in the chain — its seq, time, kind and the previous record's hash —
/// and its body, so a rewritten chain no longer verifies against the published key). Kept in
/// `<state>/journal-key` (0600, `HostIdentity.signingKey`).
public struct JournalSigningKey: Sendable {
    /// The raw 32-byte ed25519 private key.
    let raw: [UInt8]

    /// A key from its raw 32 bytes; nil when they are not one.
    public init?(raw: [UInt8]) {
        guard (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) != nil else { return nil }
        self.raw = raw
    }

    /// A new random key.
    public static func generate() -> JournalSigningKey { JournalSigningKey(raw: Array(Curve25519.Signing.PrivateKey().rawRepresentation))! }

    /// The raw 32 bytes (to store, 0600).
    public var rawRepresentation: [UInt8] { raw }

    var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }

    public var publicKey: JournalPublicKey { JournalPublicKey(raw: Array(privateKey.publicKey.rawRepresentation))! }

    /// The `signature` member of a signed record's body.
    func signature(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue) throws -> JSONValue {
        let message = JournalPublicKey.message(seq: seq, time: time, kind: kind, previous: previous, body: body)
        let signature = try privateKey.signature(for: message)
        return .object(["key": .string(publicKey.fingerprint), "sig": .string(Data(signature).base64EncodedString())])
    }
}

/// A journal identity's public half, as `bosun journal key` prints it: `bosun-journal-ed25519 BASE64`, with its
/// fingerprint `SHA256:…` (unpadded base64 of the raw key's SHA-256, as OpenSSH writes them).
public struct JournalPublicKey: Sendable, Hashable {
    /// The raw 32-byte ed25519 public key.
    let raw: [UInt8]

    public init?(raw: [UInt8]) {
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else { return nil }
        self.raw = raw
    }

    public static let prefix = "bosun-journal-ed25519"

    /// Parses `bosun-journal-ed25519 BASE64` (or the bare base64).
    public init?(text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard let encoded = parts.first(where: { $0 != Substring(Self.prefix) }), let data = Data(base64Encoded: String(encoded)) else { return nil }
        self.init(raw: Array(data))
    }

    public var text: String { Self.prefix + " " + Data(raw).base64EncodedString() }

    public var fingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: raw)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// What a record's signature covers.
    static func message(seq: Int64, time: String, kind: RecordKind, previous: String, body: JSONValue) -> [UInt8] {
        var unsigned = body
        if case .object(var fields) = body {
            fields["signature"] = nil
            unsigned = .object(fields)
        }
        return Array("bosun-journal-signature-v1\n\(seq)\n\(time)\n\(kind.rawValue)\n\(previous)\n".utf8) + unsigned.canonicalBytes
    }

    /// Whether `record` (its body parsed) carries a signature of this key; nil when it carries none.
    public func verify(_ record: JournalRecord) -> Bool? {
        guard let signature = record.body["signature"] else { return nil }
        guard signature["key"]?.stringValue == fingerprint, let text = signature["sig"]?.stringValue, let bytes = Data(base64Encoded: text) else {
            return false
        }
        let message = Self.message(seq: record.seq, time: record.time, kind: record.kind, previous: record.previous, body: record.body)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(bytes, for: message)
    }

    /// The kinds of record a journal identity signs.
    public static let signedKinds: Set<RecordKind> = [.genesis, .end]
}
