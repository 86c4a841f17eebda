public import BosunImageSpec
public import BosunImageStore
public import BosunModel
import Crypto
import Foundation
import NIOSSL

/// Pulls images over the OCI distribution protocol into a `BlobStore`: resolves a tag (or verifies a pinned
/// digest), picks this host's platform from an index, and downloads the config and layers concurrently with
/// retries, resumption and digest checks. Mirrors are tried first, then the registry itself.
public final class RegistryClient: ImagePuller {
    public let configuration: RegistryConfiguration
    let store: BlobStore
    let transport: any RegistryTransport
    let authenticator: Authenticator
    let downloads = DownloadGate()
    private let ownsTransport: Bool

    /// A client on async-http-client. Call `shutdown()` when done.
    public convenience init(store: BlobStore, configuration: RegistryConfiguration = RegistryConfiguration()) {
        let transport = HTTPTransport(certificatesDirectory: configuration.certificatesDirectory,
                                      connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
        self.init(store: store, configuration: configuration, transport: transport, ownsTransport: true)
    }

    /// A client on any transport (a fake in tests).
    public init(store: BlobStore, configuration: RegistryConfiguration, transport: any RegistryTransport, ownsTransport: Bool = false) {
        self.store = store
        self.configuration = configuration
        self.transport = transport
        self.ownsTransport = ownsTransport
        authenticator = Authenticator(transport: transport)
    }

    public func shutdown() async {
        if ownsTransport { await transport.shutdown() }
    }

    /// Bearer tokens fetched so far (to see that the cache works).
    public var tokensFetched: Int { get async { await authenticator.tokensFetched } }

    public func pull(_ reference: ImageReference, progress: PullProgressHandler? = nil) async throws(RegistryError) -> PulledImage {
        do { return try await pullFromEndpoints(reference, progress: progress) } catch {
            throw RegistryError.wrapping(error, object: reference.description)
        }
    }

    func pullFromEndpoints(_ reference: ImageReference, progress: PullProgressHandler?) async throws -> PulledImage {
        let endpoints = RegistryHost.endpoints(for: reference.registry, configuration: configuration)
        var mirrorFailures: [String] = []
        for endpoint in endpoints {
            do {
                return try await pull(reference, from: endpoint, progress: progress)
            } catch let error as RegistryError where endpoint.isMirror {
                mirrorFailures.append("\(endpoint.name): \(error.reason)")
                continue
            }
        }
        // The registry itself is always last, so its error was thrown above.
        throw RegistryError(.network, object: reference.description, reason: "no endpoint answered: " + mirrorFailures.joined(separator: ", "))
    }

    /// Fetches and stores the manifest `reference` names, without layers: `(resolved digest, manifest document)`.
    public func resolve(_ reference: ImageReference) async throws(RegistryError) -> (digest: ContentDigest, document: ManifestDocument) {
        let endpoint = RegistryHost.endpoint(reference.registry, configuration: configuration, isMirror: false)
        do {
            let fetched = try await fetchManifest(reference.digest ?? reference.tag ?? "latest", pinned: reference.digest, endpoint: endpoint, reference: reference)
            return (fetched.digest, fetched.document)
        } catch {
            throw RegistryError.wrapping(error, object: reference.description)
        }
    }

    func pull(_ reference: ImageReference, from endpoint: RegistryHost, progress: PullProgressHandler?) async throws -> PulledImage {
        let object = reference.description
        let top = try await fetchManifest(reference.digest ?? reference.tag ?? "latest", pinned: reference.digest, endpoint: endpoint, reference: reference)
        var manifestDigest = top.digest
        var chosenPlatform: Platform?
        let manifest: ImageManifest
        switch top.document {
        case .manifest(let single):
            manifest = single
        case .index(let index):
            guard let entry = index.manifest(for: configuration.platform) else {
                let offered = index.manifests.compactMap { $0.platform?.description }
                throw RegistryError(.platformNotFound, object: object, reason: "no manifest for \(configuration.platform)",
                                    hint: offered.isEmpty ? "the index names no platforms" : "the image is built for \(offered.joined(separator: ", "))")
            }
            let platformManifest = try await fetchManifest(entry.digest.description, pinned: entry.digest.description, endpoint: endpoint, reference: reference)
            guard case .manifest(let single) = platformManifest.document else {
                throw RegistryError(.invalidManifest, object: object, reason: "the index entry for \(configuration.platform) is another index")
            }
            manifest = single
            manifestDigest = platformManifest.digest
            chosenPlatform = entry.platform
        }
        let maximumConfig: Int64 = 16 << 20
        guard manifest.config.size >= 0, manifest.config.size <= maximumConfig else {
            throw RegistryError(.tooLarge, object: object, reason: "the config blob of \(manifest.config.size) bytes is larger than \(maximumConfig)")
        }
        let downloader = BlobDownloader(client: self, endpoint: endpoint, reference: reference, progress: progress)
        try await downloader.download(manifest.config, layer: nil)
        let imageConfig: ImageConfig
        do { imageConfig = try JSONDecoder().decode(ImageConfig.self, from: Data(try store.read(manifest.config.digest))) } catch {
            throw RegistryError(.invalidManifest, object: object, reason: "the config blob \(manifest.config.digest.short) is not an image config")
        }
        try await downloader.downloadAll(manifest.layers)
        return PulledImage(reference: reference, resolvedDigest: top.digest, manifestDigest: manifestDigest, manifest: manifest,
                           imageConfig: imageConfig, platform: chosenPlatform)
    }

    struct FetchedManifest {
        var digest: ContentDigest
        var document: ManifestDocument
    }

    /// GETs a manifest with the full Accept list, checks its size and digest, parses it and stores its bytes.
    func fetchManifest(_ tagOrDigest: String, pinned: String?, endpoint: RegistryHost, reference: ImageReference) async throws -> FetchedManifest {
        let object = reference.description
        let limit = ManifestDocument.maximumSize
        let (bytes, contentType, headerDigest) = try await withRetries(object: object) {
            let response = try await self.request(endpoint, repository: reference.repository, path: "/manifests/\(tagOrDigest)",
                                                  headers: [("Accept", MediaTypes.manifestAccept.joined(separator: ", "))],
                                                  object: object, isManifest: true, byDigest: pinned != nil)
            if let length = response.header("content-length").flatMap(Int.init), length > limit {
                throw RegistryError(.tooLarge, object: object, reason: "the manifest of \(length) bytes is larger than \(limit)")
            }
            let body: [UInt8]?
            do { body = try await response.body.collect(limit: limit) } catch {
                throw RegistryError(.network, object: object, reason: "the manifest download from \(endpoint) broke off: \(TransportFailure.words(error))", hint: "check the network")
            }
            guard let body else { throw RegistryError(.tooLarge, object: object, reason: "the manifest is larger than \(limit) bytes") }
            return (body, response.header("content-type"), response.header("docker-content-digest"))
        }
        let digest = try ContentDigest(parsing: "sha256:" + Hex.encode(SHA256.hash(data: bytes)))
        if let expected = pinned ?? headerDigest, expected.hasPrefix("sha256:"), expected != digest.description {
            throw RegistryError(.digestMismatch, object: object, reason: "the manifest from \(endpoint) has digest \(digest.short), not \(expected.prefix(19))",
                                hint: pinned != nil ? "the registry served other content for a pinned digest" : "the registry or a proxy altered the manifest")
        }
        let document: ManifestDocument
        do { document = try ManifestDocument.parse(bytes, mediaType: contentType) } catch {
            throw RegistryError(.invalidManifest, object: object, reason: error.description)
        }
        do { try store.put(bytes, digest: digest) } catch {
            throw RegistryError(.storage, object: object, reason: "cannot store the manifest: \(error)")
        }
        return FetchedManifest(digest: digest, document: document)
    }

    /// Sends a GET to `/v2/<repository><path>` with authorization, answering a 401 challenge once, and maps
    /// error statuses to `RegistryError`. Returns 200/206 responses.
    func request(_ endpoint: RegistryHost, repository: String, path: String, headers: [(name: String, value: String)],
                 object: String, isManifest: Bool, byDigest: Bool) async throws -> RegistryResponse {
        let scope = "repository:\(repository):pull"
        let credential = configuration.credentials[endpoint.name]
        let url = "\(endpoint.baseURL)/v2/\(repository)\(path)"
        var challengesAnswered = 0
        while true {
            var request = RegistryRequest(url: url, headers: headers)
            let authorization = try await authenticator.authorization(host: endpoint.name, scope: scope, credential: credential, object: object)
            if let authorization { request.headers.append(("Authorization", authorization)) }
            let response: RegistryResponse
            do { response = try await transport.send(request) } catch let error as RegistryError { throw error.about(object) } catch {
                throw transportError(error, endpoint: endpoint, object: object)
            }
            if response.status == 200 || response.status == 206 { return response }
            if response.status == 401, challengesAnswered < 2 {
                let retry = await authenticator.challenged(host: endpoint.name, scope: scope, headers: response.headerValues("www-authenticate"),
                                                           credential: credential, sentAuthorization: authorization != nil)
                challengesAnswered += 1
                if retry {
                    _ = try? await response.body.collect(limit: 64 << 10)
                    continue
                }
            }
            throw await statusError(response, endpoint: endpoint, object: object, isManifest: isManifest, byDigest: byDigest, hadCredential: credential != nil)
        }
    }

    func transportError(_ error: any Error, endpoint: RegistryHost, object: String) -> RegistryError {
        if error is NIOSSLError || error is BoringSSLError || "\(error)".contains("handshake") {
            let directory = configuration.certificatesDirectory.map { "\($0)/\(endpoint.name)/ca.crt" } ?? "certs.d/\(endpoint.name)/ca.crt"
            return RegistryError(.tls, object: object, reason: "tls with \(endpoint) failed: \(error)",
                                 hint: "trust the registry's CA in \(directory), or mark it insecure if it speaks plain http")
        }
        return RegistryError(.network, object: object, reason: "cannot reach \(endpoint): \(TransportFailure.words(error))",
                             hint: "check that the registry runs and the network and the registry address are right")
    }

    func statusError(_ response: RegistryResponse, endpoint: RegistryHost, object: String, isManifest: Bool, byDigest: Bool,
                     hadCredential: Bool) async -> RegistryError {
        let body = (try? await response.body.collect(limit: 64 << 10)) ?? nil
        struct Errors: Decodable {
            struct Entry: Decodable { var code: String? }
            var errors: [Entry]?
        }
        let code = body.flatMap { try? JSONDecoder().decode(Errors.self, from: Data($0)) }?.errors?.first?.code
        let status = response.status
        switch status {
        case 401:
            return RegistryError(.unauthorized, object: object, reason: "\(endpoint) refused \(hadCredential ? "the credentials" : "anonymous access")",
                                 status: status, hint: hadCredential ? "check the credentials for \(endpoint)" : "configure credentials for \(endpoint)")
        case 403:
            return RegistryError(.denied, object: object, reason: "access denied by \(endpoint)", status: status, hint: "check the account may pull this repository")
        case 404 where code == "NAME_UNKNOWN":
            return RegistryError(.manifestUnknown, object: object, reason: "repository unknown", status: status, hint: "check the repository name")
        case 404 where isManifest:
            return RegistryError(.manifestUnknown, object: object, reason: "manifest unknown", status: status,
                                 hint: byDigest ? "check the digest exists in this repository" : "check the tag exists")
        case 404, 416:
            return RegistryError(.blobUnknown, object: object, reason: "blob unknown", status: status, hint: "the image is incomplete in the registry; push it again")
        case 429:
            return RegistryError(.tooManyRequests, object: object, reason: "\(endpoint) is rate limiting", status: status, hint: "try again later")
        case 500...599:
            return RegistryError(.serverError, object: object, reason: "\(endpoint) failed", status: status, hint: "try again later")
        default:
            return RegistryError(.unexpectedStatus, object: object, reason: "unexpected answer from \(endpoint)", status: status)
        }
    }

    /// Runs `operation`, again after an exponential backoff while it fails with a transient error.
    func withRetries<T>(object: String, onRetry: (() -> Void)? = nil, _ operation: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await operation() } catch let error as RegistryError where error.code.isTransient && attempt < configuration.maximumAttempts {
                onRetry?()
                try await Task.sleep(for: backoff(attempt: attempt))
                attempt += 1
            }
        }
    }

    func backoff(attempt: Int) -> Duration {
        min(configuration.initialBackoff * (1 << min(attempt - 1, 10)), .seconds(10))
    }
}
