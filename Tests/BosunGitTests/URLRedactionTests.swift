@testable import BosunGit
import Foundation
import Testing
import BosunTestSupport

@Suite("credentials never leak into URLs or messages")
struct URLRedactionTests {
    @Test(arguments: [
        ("https://user:pa55@example.com/org/repo.git", "https://example.com/org/repo.git"),
        ("https://ghp_TOKEN@example.com/org/repo.git", "https://example.com/org/repo.git"),
        ("http://u:p%40ss@127.0.0.1:8080/git/repo.git", "http://127.0.0.1:8080/git/repo.git"),
        ("ssh://git:secret@example.com:2222/srv/repo.git", "ssh://git@example.com:2222/srv/repo.git"),
        ("ssh://git@example.com/srv/repo.git", "ssh://git@example.com/srv/repo.git"),
        ("git@example.com:org/repo.git", "git@example.com:org/repo.git"),
        ("git://127.0.0.1:9418/repo.git", "git://127.0.0.1:9418/repo.git"),
        ("file:///srv/repo.git", "file:///srv/repo.git"),
        ("/srv/repo.git", "/srv/repo.git"),
    ])
    func parsedURLIsRedacted(input: String, expected: String) throws {
        #expect(try GitRemoteURL(input).redacted == expected)
        #expect(GitRemoteURL.redact(input) == expected)
    }

    @Test func partsAreParsed() throws {
        let url = try GitRemoteURL("https://u:p%40ss@[::1]:8443/git/repo.git")
        #expect(url.scheme == .https)
        #expect(url.host == "::1")
        #expect(url.port == 8443)
        #expect(url.extractedUser == "u")
        #expect(url.extractedPassword == "p@ss")
        let scp = try GitRemoteURL("git@example.com:org/repo.git")
        #expect(scp.scheme == .ssh)
        #expect(scp.host == "example.com")
        #expect(scp.user == "git")
        #expect(scp.effectivePort == 22)
        #expect(throws: GitError.self) { try GitRemoteURL("ftp://u:secret@example.com/x") }
        #expect(throws: GitError.self) { try GitRemoteURL("https://example.com:99999/x") }
        let error = try #require(throws: GitError.self) { try GitRemoteURL("ftp://u:secret@example.com/x") }
        #expect(!error.description.contains("secret"))
        #expect(error.description == "parse repository url ftp://u@example.com/x: unsupported scheme ftp (hint: use file, git, http, https or ssh)")
    }

    @Test func messagesAreScrubbed() throws {
        let text = "failed to fetch https://alice:hunter2@example.com/r.git and http://tok@h:1/x, see ssh://git:pw@h/r"
        #expect(GitRemoteURL.redact(text) == "failed to fetch https://example.com/r.git and http://h:1/x, see ssh://git@h/r")
        let context = RemoteCallbackContext(
            url: try GitRemoteURL("https://alice:hunter2@example.com/r.git"),
            access: GitAccess(credentials: .token("tok-123")))
        #expect(context.scrub("server said tok-123 and hunter2 are bad") == "server said *** and *** are bad")
    }

    @Test func credentialsMoveOutOfTheURL() throws {
        let mirror = try GitMirror(url: "https://alice:hunter2@example.com/r.git", directory: "/nonexistent")
        #expect(mirror.repositoryURL == "https://example.com/r.git")
        #expect(mirror.access.credentials == .userPassword(username: "alice", password: "hunter2"))
        let tokenOnly = try GitMirror(url: "https://ghp_abc@example.com/r.git", directory: "/nonexistent")
        #expect(tokenOnly.access.credentials == .userPassword(username: "ghp_abc", password: ""))
        let explicit = try GitMirror(
            url: "https://alice:hunter2@example.com/r.git", access: GitAccess(credentials: .token("t")), directory: "/nonexistent")
        #expect(explicit.access.credentials == .token("t", username: "x-access-token"))
        #expect(RecordingGitSource(repositoryURL: "https://a:b@example.com/r.git").repositoryURL == "https://example.com/r.git")
    }

    @Test func directoryNamesAreStableAndFreeOfSecrets() {
        let plain = GitMirror.directoryName(for: "https://example.com/org/repo.git")
        #expect(plain.hasPrefix("example.com-org-repo.git-"))
        #expect(plain.count == "example.com-org-repo.git-".count + 16)
        #expect(GitMirror.directoryName(for: "https://alice:hunter2@example.com/org/repo.git") == plain)
        #expect(GitMirror.directoryName(for: "https://example.com/org/other.git") != plain)
    }
}

@Suite("credentials print safely")
struct CredentialPrintingTests {
    @Test func secretsAreMaskedInDescriptionsAndDumps() {
        let access = GitAccess(credentials: .userPassword(username: "alice", password: "hunter2"))
        var dumped = ""
        dump(access, to: &dumped)
        #expect(!"\(access)".contains("hunter2"))
        #expect(!String(reflecting: access).contains("hunter2"))
        #expect(!dumped.contains("hunter2"))
        let key = GitCredentials.sshKey(SSHKeyCredential(privateKeyPath: "/k", passphrase: "phrase9"))
        #expect("\(key)" == "ssh key /k with passphrase ***")
        #expect(!"\(GitCredentials.token("tok-1"))".contains("tok-1"))
    }
}
