@testable import BosunGit
import Foundation
import Testing

@Suite("ssh transport against a local sshd")
struct SSHTransportTests {
    @Test(.enabled(if: Gate.canRun(tools: ["git", "/usr/sbin/sshd", "ssh-keygen"], root: true)))
    func pinnedAndKnownHostsKeys() async throws {
        try Gate.require(tools: ["git", "/usr/sbin/sshd", "ssh-keygen"], root: true)
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try TestRepository(in: temp.path)
        let ids = try Fixture.populate(repo)
        let sshd = try SSHDServer(directory: temp.path)
        defer { sshd.stop() }
        let url = sshd.url(repo.bare)
        let key = SSHKeyCredential(privateKeyPath: sshd.clientKeyPath)

        // A pinned bare public key.
        let pinned = try GitMirror(
            url: url, access: GitAccess(credentials: .sshKey(key), hostKeys: .pinned(sshd.hostPublicKey)),
            directory: temp.file("mirror-pinned"))
        #expect(try await Fixture.fetchAndCheck(pinned, expecting: ids), "sshd log: \(sshd.log())")

        // An ecdsa key with a passphrase, and the user given with the key rather than in the URL.
        try Command.run("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-N", "correct horse", "-f", temp.file("ecdsa")])
        let authorized = try String(contentsOfFile: temp.file("authorized_keys"), encoding: .utf8)
        try (authorized + String(contentsOfFile: temp.file("ecdsa.pub"), encoding: .utf8))
            .write(toFile: temp.file("authorized_keys"), atomically: true, encoding: .utf8)
        let ecdsa = try GitMirror(
            url: "ssh://127.0.0.1:\(sshd.port)\(repo.bare)",
            access: GitAccess(
                credentials: .sshKey(SSHKeyCredential(privateKeyPath: temp.file("ecdsa"), passphrase: "correct horse", username: "root")),
                hostKeys: .pinned(sshd.hostPublicKey)),
            directory: temp.file("mirror-ecdsa"))
        #expect(try await Fixture.fetchAndCheck(ecdsa, expecting: ids), "sshd log: \(sshd.log())")
        let badPhrase = try GitMirror(
            url: "ssh://127.0.0.1:\(sshd.port)\(repo.bare)",
            access: GitAccess(
                credentials: .sshKey(SSHKeyCredential(privateKeyPath: temp.file("ecdsa"), passphrase: "wrong horse", username: "root")),
                hostKeys: .pinned(sshd.hostPublicKey)),
            directory: temp.file("mirror-ecdsa-bad"))
        let badPhraseError = await #expect(throws: GitError.self) { try await badPhrase.fetch() }
        #expect(badPhraseError?.description.contains("wrong horse") == false)
        #expect(badPhraseError?.code == .authentication)

        // A known_hosts file with a hashed entry for [127.0.0.1]:port.
        let knownHosts = temp.file("known_hosts")
        let keyFields = sshd.hostPublicKey.split(separator: " ").prefix(2).joined(separator: " ")
        try "otherhost \(keyFields)\n[127.0.0.1]:\(sshd.port) \(keyFields)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try Command.run("ssh-keygen", ["-q", "-H", "-f", knownHosts])
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).hasPrefix("|1|"))
        let fromFile = try GitMirror(
            url: url, access: GitAccess(credentials: .sshKey(key), hostKeys: .knownHostsFile(knownHosts)),
            directory: temp.file("mirror-known"))
        #expect(try await Fixture.fetchAndCheck(fromFile, expecting: ids))

        // A wrong pinned key is refused, naming the host and the server's fingerprint.
        let serverBlob = [UInt8](Data(base64Encoded: String(sshd.hostPublicKey.split(separator: " ")[1]))!)
        let fingerprint = SSHHostKeyTrust.fingerprint(ofKeyBlob: serverBlob)
        let sshKeygenFingerprint = try Command.run("ssh-keygen", ["-l", "-E", "sha256", "-f", temp.file("ssh_host_ed25519_key.pub")])
        #expect(sshKeygenFingerprint.split(separator: " ")[1] == fingerprint)
        try Command.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", temp.file("other")])
        let otherKey = try String(contentsOfFile: temp.file("other.pub"), encoding: .utf8)
        let wrong = try GitMirror(
            url: url, access: GitAccess(credentials: .sshKey(key), hostKeys: .pinned(otherKey)), directory: temp.file("mirror-wrong"))
        let mismatch = await #expect(throws: GitError.self) { try await wrong.fetch() }
        #expect(mismatch?.code == .hostKey)
        #expect(mismatch?.object == "[127.0.0.1]:\(sshd.port)")
        #expect(mismatch?.description.contains("host key \(fingerprint) (ssh-ed25519) does not match the pinned host keys") == true)

        // No host keys configured: refused, never accepted blindly.
        let unknown = try GitMirror(url: url, access: GitAccess(credentials: .sshKey(key)), directory: temp.file("mirror-unknown"))
        let refused = await #expect(throws: GitError.self) { try await unknown.fetch() }
        #expect(refused?.code == .hostKey)
        #expect(refused?.description.contains(fingerprint) == true)

        // A known_hosts file without this host: unknown.
        try "otherhost \(keyFields)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let notListed = try GitMirror(
            url: url, access: GitAccess(credentials: .sshKey(key), hostKeys: .knownHostsFile(knownHosts)),
            directory: temp.file("mirror-notlisted"))
        let notListedError = await #expect(throws: GitError.self) { try await notListed.fetch() }
        #expect(notListedError?.description.contains("is unknown") == true)

        // A key the server does not accept.
        let stranger = try GitMirror(
            url: url,
            access: GitAccess(credentials: .sshKey(SSHKeyCredential(privateKeyPath: temp.file("other"))), hostKeys: .pinned(sshd.hostPublicKey)),
            directory: temp.file("mirror-stranger"))
        let authError = await #expect(throws: GitError.self) { try await stranger.fetch() }
        #expect(authError?.code == .authentication)
    }
}
