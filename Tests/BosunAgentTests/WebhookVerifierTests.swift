import BosunAgent
import Crypto
import Testing

@Suite("Webhook signatures")
struct WebhookVerifierTests {
    /// A clock an hour apart per call, so that only the replay tests send a body twice within the window.
    final class Hours: @unchecked Sendable { var now: Int64 = 0 }
    let clock = Hours()
    func hours() -> Int64 {
        clock.now += WebhookVerifier.bodyWindow
        return clock.now
    }

    let secret = Array("It's a Secret to Everybody".utf8)
    let body = Array("Hello, World!".utf8)

    func signature(_ body: [UInt8], _ key: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("GitHub's documented example verifies; a changed body or secret does not")
    func github() throws {
        var verifier = WebhookVerifier(secret: secret)
        // The example from GitHub's "Validating webhook deliveries".
        let documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(try verifier.verify(headers: [("X-Hub-Signature-256", documented), ("X-GitHub-Delivery", "d1")], body: body, now: hours()) == "d1")
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try verifier.verify(headers: [("X-Hub-Signature-256", documented)], body: Array("Hello, World?".utf8), now: hours())
        }
        var other = WebhookVerifier(secret: Array("another".utf8))
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try other.verify(headers: [("x-hub-signature-256", documented)], body: body, now: hours())
        }
    }

    @Test("Gitea and GitLab styles; unsigned and SHA-1 requests are refused")
    func otherForges() throws {
        var verifier = WebhookVerifier(secret: secret)
        #expect(try verifier.verify(headers: [("X-Gitea-Signature", signature(body, secret)), ("X-Gitea-Delivery", "g1")], body: body, now: hours()) == "g1")
        #expect(try verifier.verify(headers: [("X-Gitlab-Token", "It's a Secret to Everybody"), ("X-Gitlab-Event-UUID", "l1")], body: body, now: hours()) == "l1")
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try verifier.verify(headers: [("X-Gitlab-Token", "guess")], body: body, now: hours())
        }
        #expect(throws: WebhookVerifier.Refusal.unsigned) { try verifier.verify(headers: [("Content-Type", "application/json")], body: body, now: hours()) }
        #expect(throws: WebhookVerifier.Refusal.self) { try verifier.verify(headers: [("X-Hub-Signature", "sha1=0000")], body: body, now: hours()) }
        #expect(throws: WebhookVerifier.Refusal.self) { try verifier.verify(headers: [("X-Hub-Signature-256", "sha256=zz")], body: body, now: hours()) }
    }

    @Test("a delivery id is accepted once: a replay is refused")
    func replay() throws {
        var verifier = WebhookVerifier(secret: secret, memory: 2)
        let headers = [("X-Hub-Signature-256", "sha256=" + signature(body, secret)), ("X-GitHub-Delivery", "abc")]
        try verifier.verify(headers: headers, body: body, now: hours())
        #expect(throws: WebhookVerifier.Refusal.replayed("abc")) { try verifier.verify(headers: headers, body: body, now: hours()) }
    }

    @Test("a captured body resent with a new delivery id is refused for an hour, then accepted")
    func bodyReplay() throws {
        var verifier = WebhookVerifier(secret: secret)
        let signed = ("X-Hub-Signature-256", "sha256=" + signature(body, secret))
        try verifier.verify(headers: [signed, ("X-GitHub-Delivery", "first")], body: body, now: 1_000_000)
        #expect(throws: WebhookVerifier.Refusal.replayedBody(secondsAgo: 120)) {
            try verifier.verify(headers: [signed, ("X-GitHub-Delivery", "second")], body: body, now: 1_120_000)
        }
        // Without any delivery id (GitLab's token style too), the body alone is refused.
        #expect(throws: WebhookVerifier.Refusal.replayedBody(secondsAgo: 1800)) {
            try verifier.verify(headers: [("X-Gitlab-Token", "It's a Secret to Everybody")], body: body, now: 2_800_000)
        }
        // Another event's body is accepted; the first body again after the hour.
        let other = Array("Hello, again!".utf8)
        #expect(try verifier.verify(headers: [("X-Hub-Signature-256", "sha256=" + signature(other, secret)), ("X-GitHub-Delivery", "third")],
                                    body: other, now: 2_900_000) == "third")
        #expect(try verifier.verify(headers: [signed, ("X-GitHub-Delivery", "fourth")], body: body, now: 1_000_000 + WebhookVerifier.bodyWindow) == "fourth")
    }
}
