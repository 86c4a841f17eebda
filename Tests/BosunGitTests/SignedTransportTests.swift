import BosunGit
import BosunSource
import BosunTrust
import Foundation
import Testing

/// The verify step is the same whatever the transport: a signed commit fetched over git://, http(s) and ssh
/// passes, the unsigned commit pushed after it is refused, each read from the mirror by the id the ref resolved to.
@Suite("signed commits over every transport", .serialized)
struct SignedTransportTests {
    @Test(.enabled(if: Gate.canRun(tools: ["git", "git-daemon", "lighttpd", "git-http-backend", "/usr/sbin/sshd", "ssh-keygen"], root: true)))
    func verifiedOverEveryTransport() async throws {
        try Gate.require(tools: ["git", "git-daemon", "lighttpd", "git-http-backend", "/usr/sbin/sshd", "ssh-keygen"], root: true)
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp.file("repos"), withIntermediateDirectories: true)
        let repo = try TestRepository(in: temp.file("repos"))
        try Command.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f", temp.file("ada")], environment: [:])
        let publicKey = try String(contentsOfFile: temp.file("ada.pub"), encoding: .utf8)
        try ("ada@example.test " + publicKey).write(toFile: temp.file("allowed"), atomically: true, encoding: .utf8)
        try repo.write("app/compose.yaml", "services: {web: {image: busybox}}\n")
        try repo.git("add", "-A")
        try repo.git("-c", "gpg.format=ssh", "-c", "user.signingkey=\(temp.file("ada.pub"))", "commit", "-q", "-S", "-m", "signed")
        try repo.pushAll()

        let daemon = try GitDaemonServer(basePath: temp.file("repos"), logPath: temp.file("daemon.log"))
        defer { daemon.stop() }
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let http = try LighttpdGitServer(projectRoot: temp.file("repos"), directory: temp.path, users: ["alice": password])
        defer { http.stop() }
        let sshd = try SSHDServer(directory: temp.path)
        defer { sshd.stop() }
        let mirrors: [(String, GitMirror)] = [
            ("git", try GitMirror(url: daemon.url("repo.git"), directory: temp.file("m-git"))),
            ("http", try GitMirror(url: http.url("repo.git"), access: GitAccess(credentials: .userPassword(username: "alice", password: password)),
                                   directory: temp.file("m-http"))),
            ("ssh", try GitMirror(url: sshd.url(repo.bare), access: GitAccess(credentials: .sshKey(SSHKeyCredential(privateKeyPath: sshd.clientKeyPath)),
                                                                              hostKeys: .pinned(sshd.hostPublicKey)),
                                  directory: temp.file("m-ssh"))),
            ("file", try GitMirror(url: repo.bare, directory: temp.file("m-file"))),
        ]
        let check = CommitSignatureCheck(policy: SignaturePolicy(mode: .tip, allowedSigners: temp.file("allowed")), stateDirectory: temp.path)
        for (name, mirror) in mirrors {
            _ = try await mirror.fetch()
            let signer = try await check.check(try await mirror.resolve("main"), in: mirror)
            #expect(signer?.hasPrefix("ada@example.test, key SHA256:") == true, "\(name): \(signer ?? "-")")
        }
        try repo.commit("unsigned")
        try repo.pushAll()
        for (name, mirror) in mirrors {
            _ = try await mirror.fetch()
            let commit = try await mirror.resolve("main")
            let refusal = await #expect(throws: SignatureRefusal.self, "\(name)") { try await check.check(commit, in: mirror) }
            #expect(refusal?.verdict.outcome == .unsigned, "\(name)")
        }
    }
}
