import BosunAgent
import Crypto
import Testing

@Suite("Webhook signatures")
struct WebhookVerifierTests {
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
        #expect(try verifier.verify(headers: [("X-Hub-Signature-256", documented), ("X-GitHub-Delivery", "d1")], body: body) == "d1")
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try verifier.verify(headers: [("X-Hub-Signature-256", documented)], body: Array("Hello, World?".utf8))
        }
        var other = WebhookVerifier(secret: Array("another".utf8))
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try other.verify(headers: [("x-hub-signature-256", documented)], body: body)
        }
    }

    @Test("Gitea and GitLab styles; unsigned and SHA-1 requests are refused")
    func otherForges() throws {
        var verifier = WebhookVerifier(secret: secret)
        #expect(try verifier.verify(headers: [("X-Gitea-Signature", signature(body, secret)), ("X-Gitea-Delivery", "g1")], body: body) == "g1")
        #expect(try verifier.verify(headers: [("X-Gitlab-Token", "It's a Secret to Everybody"), ("X-Gitlab-Event-UUID", "l1")], body: body) == "l1")
        #expect(throws: WebhookVerifier.Refusal.badSignature) {
            try verifier.verify(headers: [("X-Gitlab-Token", "guess")], body: body)
        }
        #expect(throws: WebhookVerifier.Refusal.unsigned) { try verifier.verify(headers: [("Content-Type", "application/json")], body: body) }
        #expect(throws: WebhookVerifier.Refusal.self) { try verifier.verify(headers: [("X-Hub-Signature", "sha1=0000")], body: body) }
        #expect(throws: WebhookVerifier.Refusal.self) { try verifier.verify(headers: [("X-Hub-Signature-256", "sha256=zz")], body: body) }
    }

    @Test("a delivery id is accepted once: a replay is refused")
    func replay() throws {
        var verifier = WebhookVerifier(secret: secret, memory: 2)
        let headers = [("X-Hub-Signature-256", "sha256=" + signature(body, secret)), ("X-GitHub-Delivery", "abc")]
        try verifier.verify(headers: headers, body: body)
        #expect(throws: WebhookVerifier.Refusal.replayed("abc")) { try verifier.verify(headers: headers, body: body) }
    }
}
