import Crypto

/// Checks that a webhook delivery comes from the forge that shares our secret, and was not seen before.
///
/// Accepted signatures: GitHub, Gitea, Forgejo and Bitbucket's HMAC-SHA256 of the body (`X-Hub-Signature-256:
/// sha256=<hex>`, `X-Gitea-Signature`, `X-Forgejo-Signature`, `X-Hub-Signature: sha256=<hex>`), and GitLab's
/// shared token (`X-Gitlab-Token`). Comparisons take constant time. A delivery id (`X-GitHub-Delivery`,
/// `X-Gitea-Delivery`, `X-Gitlab-Event-UUID`, …) seen before is refused, so a captured request cannot be
/// replayed to make the agent poll again and again; and since a replay may carry a new delivery id (the id is
/// not signed), a body seen in the last hour is refused too (kept as a keyed hash, never the body). Pure: the
/// caller reads the secret, the request and the clock.
public struct WebhookVerifier: Sendable {
    /// Why a delivery was refused (shown in the response and the agent's log, never with the secret).
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case unsigned
        case badSignature
        case replayed(String)
        /// The same body arrived this many seconds ago.
        case replayedBody(secondsAgo: Int64)
        case malformed(String)

        public var description: String {
            switch self {
            case .unsigned: return "the request carries no signature header bosun knows (X-Hub-Signature-256, X-Gitea-Signature, X-Gitlab-Token, …)"
            case .badSignature: return "the signature does not match the shared secret"
            case .replayed(let id): return "delivery \(id) was already received"
            case .replayedBody(let seconds):
                return "the same body was received \(seconds) s ago: a replay (a forge sends a new body for every event); refused for an hour"
            case .malformed(let what): return "malformed signature: \(what)"
            }
        }
    }

    let secret: [UInt8]
    /// Delivery ids seen, oldest first; at most `memory` are kept.
    private(set) var seen: [String] = []
    private var seenSet: Set<String> = []
    /// Keyed hashes of bodies accepted in the last `bodyWindow` milliseconds, oldest first, with when.
    private var bodies: [(hash: [UInt8], at: Int64)] = []
    private var bodySet: Set<[UInt8]> = []
    let memory: Int
    /// How long a body is remembered: an hour.
    public static let bodyWindow: Int64 = 3_600_000

    public init(secret: [UInt8], memory: Int = 4096) {
        self.secret = secret
        self.memory = memory
    }

    static let hmacHeaders = ["x-hub-signature-256", "x-gitea-signature", "x-forgejo-signature", "x-hub-signature"]
    static let deliveryHeaders = ["x-github-delivery", "x-gitea-delivery", "x-forgejo-delivery", "x-gitlab-event-uuid", "x-request-uuid", "x-hook-uuid"]

    /// Verifies a delivery arriving at `now` (milliseconds since the epoch); `headers` are matched
    /// case-insensitively. Returns the delivery id, if any.
    @discardableResult
    public mutating func verify(headers: [(String, String)], body: [UInt8], now: Int64) throws(Refusal) -> String? {
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name }?.1.trimmingSpaces
        }
        var verified = false
        for name in WebhookVerifier.hmacHeaders {
            guard var value = header(name) else { continue }
            if name.hasPrefix("x-hub-signature") {
                guard value.hasPrefix("sha256=") else {
                    throw .malformed("\(name) must start with sha256= (SHA-1 signatures are refused)")
                }
                value.removeFirst("sha256=".count)
            }
            guard let given = WebhookVerifier.bytes(hex: value), given.count == 32 else { throw .malformed("\(name) is not a hex SHA-256") }
            let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)))
            guard WebhookVerifier.constantTimeEqual(given, expected) else { throw .badSignature }
            verified = true
            break
        }
        if !verified, let token = header("x-gitlab-token") {
            guard WebhookVerifier.constantTimeEqual(Array(token.utf8), secret) else { throw .badSignature }
            verified = true
        }
        guard verified else { throw .unsigned }
        let delivery = WebhookVerifier.deliveryHeaders.lazy.compactMap(header).first
        if let delivery, seenSet.contains(delivery) { throw .replayed(delivery) }
        while let oldest = bodies.first, oldest.at <= now - WebhookVerifier.bodyWindow || bodies.count >= memory {
            bodySet.remove(oldest.hash)
            bodies.removeFirst()
        }
        // Keyed, so the hashes kept say nothing about the bodies to someone without the secret.
        let bodyHash = Array(HMAC<SHA256>.authenticationCode(for: Array("bosun webhook body\0".utf8) + body, using: SymmetricKey(data: secret)))
        if bodySet.contains(bodyHash), let first = bodies.first(where: { $0.hash == bodyHash }) {
            throw .replayedBody(secondsAgo: max(0, (now - first.at) / 1000))
        }
        bodies.append((bodyHash, now))
        bodySet.insert(bodyHash)
        if let delivery {
            seen.append(delivery)
            seenSet.insert(delivery)
            if seen.count > memory { seenSet.remove(seen.removeFirst()) }
        }
        return delivery
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}
