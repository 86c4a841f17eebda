@testable import BosunRegistry
import BosunModel
import Foundation
import Testing
import BosunTestSupport

struct RegistryUnitTests {
    @Test func parsesBearerChallenges() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#))
        #expect(challenge.scheme == .bearer)
        #expect(challenge.realm == "https://auth.docker.io/token")
        #expect(challenge.service == "registry.docker.io")
        #expect(challenge.scope == "repository:library/nginx:pull")
        let basic = try #require(AuthChallenge(header: #"Basic realm="test-realm""#))
        #expect(basic.scheme == .basic)
        let escaped = try #require(AuthChallenge(header: #"bearer realm="http://h/t", scope="a:b:pull,push", error="x \"y\"""#))
        #expect(escaped.scope == "a:b:pull,push")
        #expect(escaped.parameters["error"] == #"x "y""#)
        #expect(AuthChallenge(header: "Negotiate abc") == nil)
        #expect(AuthChallenge(header: "Bearer service=x") == nil)
    }

    @Test func readsDockerConfigCredentials() throws {
        let auth = Data("me:p:ss".utf8).base64EncodedString()
        let file = #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(auth)"},"reg.example:5000":{"username":"u","password":"pw"},"empty.example":{}}}"#
        let found = try DockerConfigFile.credentials(from: Array(file.utf8), path: "config.json")
        #expect(found["docker.io"] == RegistryCredential(username: "me", password: "p:ss"))
        #expect(found["reg.example:5000"] == RegistryCredential(username: "u", password: "pw"))
        #expect(found["empty.example"] == nil)
        #expect("\(found["docker.io"]!)" == "credential for me (redacted)")
        let bad = #"{"auths":{"x":{"auth":"c2VjcmV0"}}}"#
        let error = #expect(throws: RegistryError.self) { try DockerConfigFile.credentials(from: Array(bad.utf8), path: "config.json") }
        #expect(error?.description == "read credentials config.json: the auth entry for x is not base64 of user:password")
        #expect(!(error?.description.contains("c2VjcmV0") ?? true))
    }

    @Test func loopbackRegistriesArePlainHTTPAndDockerHubIsRenamed() {
        let configuration = RegistryConfiguration(insecureRegistries: ["build.lan:5000"], mirrors: ["docker.io": ["mirror.lan", "http://10.0.0.1:5000/"]])
        for host in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.3.4.5", "[::1]:5000", "::1"] {
            #expect(RegistryHost.isLoopback(host), "\(host)")
        }
        for host in ["128.0.0.1", "localhost.example", "127.0.0.1.example", "[::2]:5000", "10.0.0.1"] {
            #expect(!RegistryHost.isLoopback(host), "\(host)")
        }
        #expect(RegistryHost.endpoints(for: "docker.io", configuration: configuration).map(\.baseURL)
            == ["https://mirror.lan", "http://10.0.0.1:5000", "https://registry-1.docker.io"])
        #expect(RegistryHost.endpoints(for: "build.lan:5000", configuration: configuration).map(\.baseURL) == ["http://build.lan:5000"])
        #expect(RegistryHost.endpoints(for: "127.0.0.1:5000", configuration: configuration).map(\.baseURL) == ["http://127.0.0.1:5000"])
        #expect(RegistryHost.endpoints(for: "ghcr.io", configuration: configuration).map(\.baseURL) == ["https://ghcr.io"])
    }

    @Test func resolvesRedirectLocations() {
        #expect(HTTPTransport.resolve("https://s3.example/b?sig=1", against: "http://r:5000/v2/a/blobs/x") == "https://s3.example/b?sig=1")
        #expect(HTTPTransport.resolve("/other/path", against: "http://r:5000/v2/a/blobs/x") == "http://r:5000/other/path")
        #expect(HTTPTransport.resolve("y", against: "http://r:5000/v2/a/blobs/x?q") == "http://r:5000/v2/a/blobs/y")
        #expect(HTTPTransport.resolve("//cdn.example/z", against: "https://r/v2/") == "https://cdn.example/z")
        #expect(HTTPTransport.authority(of: "http://127.0.0.1:5000/v2/") == "127.0.0.1:5000")
        #expect(BlobDownloader.rangeStart("bytes 100-199/200") == 100)
        #expect(BlobDownloader.rangeStart("bytes */200") == nil)
    }

    @Test func errorMessagesNameTheActionObjectStatusAndHint() {
        let error = RegistryError(.manifestUnknown, object: "localhost:5000/app:1", reason: "manifest unknown", status: 404, hint: "check the tag exists")
        #expect(error.description == "pull localhost:5000/app:1: manifest unknown (404); check the tag exists")
        #expect(!error.code.isTransient)
        #expect(RegistryError.Code.serverError.isTransient && RegistryError.Code.tooManyRequests.isTransient && RegistryError.Code.network.isTransient)
    }

    @Test func theRecordingPullerAnswersFromItsTableAndRecords() async throws {
        let puller = RecordingImagePuller()
        let reference = try ImageReference(parsing: "nginx")
        let error = await #expect(throws: RegistryError.self) { try await puller.pull(reference, progress: nil) }
        #expect(error?.description == "pull docker.io/library/nginx:latest: manifest unknown (404); check the tag exists")
        #expect(puller.pulls == [reference])
    }
}
