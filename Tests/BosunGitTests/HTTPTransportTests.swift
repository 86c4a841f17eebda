@testable import BosunGit
import Foundation
import Testing

@Suite("http(s) transport through git http-backend behind lighttpd")
struct HTTPTransportTests {
    static let password = "s3cret-Pa55word"

    @Test(.enabled(if: Gate.canRun(tools: ["git", "lighttpd", "git-http-backend"])))
    func basicAuthentication() async throws {
        try Gate.require(tools: ["git", "lighttpd", "git-http-backend"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp.file("repos"), withIntermediateDirectories: true)
        let repo = try TestRepository(in: temp.file("repos"))
        let ids = try Fixture.populate(repo)
        let server = try LighttpdGitServer(projectRoot: temp.file("repos"), directory: temp.path, users: ["alice": Self.password])
        defer { server.stop() }
        let url = server.url("repo.git")

        let mirror = try GitMirror(
            url: url, access: GitAccess(credentials: .userPassword(username: "alice", password: Self.password)),
            directory: temp.file("mirror"))
        #expect(try await Fixture.fetchAndCheck(mirror, expecting: ids))
        #expect(!Fixture.mirrorMetadata(temp.file("mirror")).contains(Self.password))
        #expect(!Fixture.mirrorMetadata(temp.file("mirror")).contains(url))

        // Credentials in the URL are moved out of it and still work; the revision shows the clean URL.
        let inURL = url.replacingOccurrences(of: "http://", with: "http://alice:\(Self.password)@")
        let fromURL = try GitMirror(url: inURL, directory: temp.file("mirror-url"))
        #expect(fromURL.repositoryURL == url)
        #expect(try await Fixture.fetchAndCheck(fromURL, expecting: ids))
        let revision = try await fromURL.revision(of: fromURL.resolve("main"), ref: "main")
        #expect(revision.repositoryURL == url)
        #expect(!Fixture.mirrorMetadata(temp.file("mirror-url")).contains(Self.password))

        let anonymous = try GitMirror(url: url, directory: temp.file("mirror-anon"))
        let missing = await #expect(throws: GitError.self) { try await anonymous.fetch() }
        #expect(missing?.code == .authentication)
        #expect(missing?.description == "authenticate to \(url): the server requires credentials and none are configured (hint: configure a user and password, a token, or an ssh key for this source)")

        let wrong = try GitMirror(
            url: url.replacingOccurrences(of: "http://", with: "http://alice:wrong-\(Self.password)@"),
            directory: temp.file("mirror-wrong"))
        let rejected = await #expect(throws: GitError.self) { try await wrong.fetch() }
        #expect(rejected?.code == .authentication)
        #expect(rejected?.description.contains("rejected") == true)
        #expect(rejected?.description.contains(Self.password) == false)
        #expect(!Fixture.mirrorMetadata(temp.file("mirror-wrong")).contains(Self.password))
    }

    @Test(.enabled(if: Gate.canRun(tools: ["git", "lighttpd", "git-http-backend", "openssl"])))
    func httpsWithOwnCA() async throws {
        try Gate.require(tools: ["git", "lighttpd", "git-http-backend", "openssl"])
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp.file("repos"), withIntermediateDirectories: true)
        let repo = try TestRepository(in: temp.file("repos"))
        let ids = try Fixture.populate(repo)
        let ca = try TestCertificateAuthority(directory: temp.path, serverName: "localhost")
        let server = try LighttpdGitServer(
            projectRoot: temp.file("repos"), directory: temp.path, users: ["bot": "tok3n-value"],
            tls: (ca.serverCertificate, ca.serverKey))
        defer { server.stop() }
        let url = server.url("repo.git", host: "localhost")

        let trusted = try GitMirror(
            url: url, access: GitAccess(credentials: .token("tok3n-value", username: "bot"), caBundleFile: ca.certificate),
            directory: temp.file("mirror"))
        #expect(try await Fixture.fetchAndCheck(trusted, expecting: ids))
        #expect(!Fixture.mirrorMetadata(temp.file("mirror")).contains("tok3n-value"))

        let untrusted = try GitMirror(
            url: url, access: GitAccess(credentials: .token("tok3n-value", username: "bot")), directory: temp.file("mirror2"))
        let error = await #expect(throws: GitError.self) { try await untrusted.fetch() }
        #expect(error?.code == .certificate)
        #expect(error?.description.contains("tok3n-value") == false)
    }
}
