@testable import BosunGit
import Crypto
import Foundation
import Testing

@Suite("ssh host key trust")
struct KnownHostsTests {
    /// A syntactically valid ed25519 key blob with a recognisable key part.
    static func blob(_ byte: UInt8) -> [UInt8] {
        let name = Array("ssh-ed25519".utf8)
        return [0, 0, 0, UInt8(name.count)] + name + [0, 0, 0, 32] + [UInt8](repeating: byte, count: 32)
    }
    static func base64(_ blob: [UInt8]) -> String { Data(blob).base64EncodedString() }

    @Test func fingerprintMatchesOpenSSHFormat() {
        let blob = Self.blob(1)
        let expected = "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(SSHHostKeyTrust.fingerprint(ofKeyBlob: blob) == expected)
        #expect(!expected.hasSuffix("="))
        #expect(SSHHostKeyTrust.keyType(ofKeyBlob: blob) == "ssh-ed25519")
    }

    @Test func pinnedBareKeyAndKnownHostsLines() throws {
        let key = Self.blob(1)
        try SSHHostKeyTrust.pinned("ssh-ed25519 \(Self.base64(key)) comment").verify(host: "any", port: 22, keyBlob: key)
        let lines = try SSHHostKeyTrust.pinned("# comment\nhost1,[10.0.0.1]:2222 ssh-ed25519 \(Self.base64(key))\n")
        try lines.verify(host: "host1", port: 22, keyBlob: key)
        try lines.verify(host: "10.0.0.1", port: 2222, keyBlob: key)
        #expect(throws: GitError.self) { try lines.verify(host: "10.0.0.1", port: 22, keyBlob: key) }
        #expect(throws: GitError.self) { try lines.verify(host: "host1", port: 22, keyBlob: Self.blob(2)) }
        #expect(throws: GitError.self) { try SSHHostKeyTrust.pinned("not a key") }
    }

    @Test func patternsNegationRevocationAndHashes() throws {
        let key = Self.blob(3)
        let salt = Data((0..<20).map { UInt8($0) })
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data("[git.example]:2200".utf8), using: SymmetricKey(data: salt))
        let hashed = "|1|\(salt.base64EncodedString())|\(Data(mac).base64EncodedString())"
        let trust = try SSHHostKeyTrust.pinned("""
            *.example.com,!bad.example.com ssh-ed25519 \(Self.base64(key))
            \(hashed) ssh-ed25519 \(Self.base64(key))
            @revoked * ssh-ed25519 \(Self.base64(Self.blob(9)))
            """)
        try trust.verify(host: "a.example.com", port: 22, keyBlob: key)
        try trust.verify(host: "git.example", port: 2200, keyBlob: key)
        #expect(throws: GitError.self) { try trust.verify(host: "bad.example.com", port: 22, keyBlob: key) }
        #expect(throws: GitError.self) { try trust.verify(host: "git.example", port: 22, keyBlob: key) }
        let revoked = try #require(throws: GitError.self) { try trust.verify(host: "a.example.com", port: 22, keyBlob: Self.blob(9)) }
        #expect(revoked.description.contains("revoked"))
    }

    @Test func mismatchNamesBothFingerprints() throws {
        let trust = try SSHHostKeyTrust.pinned("h ssh-ed25519 \(Self.base64(Self.blob(1)))")
        let error = try #require(throws: GitError.self) { try trust.verify(host: "h", port: 22, keyBlob: Self.blob(2)) }
        #expect(error.code == .hostKey)
        #expect(error.description.hasPrefix(
            "verify ssh host key of h: host key \(SSHHostKeyTrust.fingerprint(ofKeyBlob: Self.blob(2))) (ssh-ed25519) does not match the pinned host keys: \(SSHHostKeyTrust.fingerprint(ofKeyBlob: Self.blob(1))) (ssh-ed25519)"))
        let missingFile = SSHHostKeyTrust.knownHostsFile("/nonexistent/known_hosts")
        let fileError = try #require(throws: GitError.self) { try missingFile.verify(host: "h", port: 22, keyBlob: Self.blob(1)) }
        #expect(fileError.code == .configuration)
    }
}
