import AsyncHTTPClient
import Foundation
import NIOSSL

/// `RegistryTransport` on async-http-client: HTTPS with the system CAs plus Docker's
/// `certs.d/<host:port>/*.crt` (and `client.cert`/`client.key`), redirects followed here so that credentials
/// never travel to another host (registries redirect blobs to storage).
public final class HTTPTransport: RegistryTransport {
    private let client: HTTPClient
    private let certificatesDirectory: String?
    private let tlsByHost = Locked<[String: TLSConfiguration]>([:])
    static let maximumRedirects = 5

    public init(certificatesDirectory: String? = nil, connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60)) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds), read: .nanoseconds(readTimeout.nanoseconds)))
        configuration.httpVersion = .automatic
        // Failed connections surface at once: the client retries with its own backoff, and not TLS failures.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.certificatesDirectory = certificatesDirectory
    }

    public func send(_ request: RegistryRequest) async throws -> RegistryResponse {
        var current = request
        for _ in 0...HTTPTransport.maximumRedirects {
            var outgoing = HTTPClientRequest(url: current.url)
            outgoing.method = .init(rawValue: current.method)
            for (name, value) in current.headers { outgoing.headers.add(name: name, value: value) }
            if let authority = HTTPTransport.authority(of: current.url), current.url.hasPrefix("https://") {
                outgoing.tlsConfiguration = try tlsConfiguration(for: authority)
            }
            let response = try await client.execute(outgoing, timeout: .hours(6))
            let status = Int(response.status.code)
            let headers = response.headers.map { (name: $0.name, value: $0.value) }
            if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location") {
                _ = try? await response.body.collect(upTo: 64 << 10)
                let next = HTTPTransport.resolve(location, against: current.url)
                if HTTPTransport.authority(of: next) != HTTPTransport.authority(of: current.url) || !next.hasPrefix(scheme(of: current.url)) {
                    current.headers.removeAll { $0.name.lowercased() == "authorization" }
                }
                current.url = next
                continue
            }
            let body = response.body
            return RegistryResponse(status: status, headers: headers, body: ResponseBody(makeNext: {
                var iterator = body.makeAsyncIterator()
                return { try await iterator.next().map { Array($0.readableBytesView) } }
            }))
        }
        throw RegistryError(.unexpectedStatus, action: "fetch", object: request.url, reason: "more than \(HTTPTransport.maximumRedirects) redirects")
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    private func scheme(of url: String) -> String { url.hasPrefix("https://") ? "https://" : "http://" }

    /// System CAs, plus `<certs.d>/<host:port>/*.crt` and a client certificate when that directory has one.
    func tlsConfiguration(for authority: String) throws -> TLSConfiguration {
        if let cached = tlsByHost.withLock({ $0[authority] }) { return cached }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certificatesDirectory {
            let directory = "\(certificatesDirectory)/\(authority)"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            let cas = names.filter { $0.hasSuffix(".crt") }
            if !cas.isEmpty { tls.additionalTrustRoots = cas.map { .file("\(directory)/\($0)") } }
            if names.contains("client.cert") && names.contains("client.key") {
                do {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMFile("\(directory)/client.cert").map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: "\(directory)/client.key", format: .pem))
                } catch {
                    throw RegistryError(.tls, action: "connect to", object: authority, reason: "cannot read the client certificate in \(directory)",
                                        hint: "client.cert must be PEM")
                }
            }
        }
        tlsByHost.withLock { $0[authority] = tls }
        return tls
    }

    /// `host[:port]` of an absolute URL.
    static func authority(of url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        let rest = url[range.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    /// A `Location` header resolved against the URL that answered with it.
    static func resolve(_ location: String, against base: String) -> String {
        if location.contains("://") { return location }
        guard let range = base.range(of: "://") else { return location }
        let origin = base[..<range.upperBound] + (authority(of: base) ?? "")
        if location.hasPrefix("//") { return String(base[..<range.lowerBound]) + ":" + location }
        if location.hasPrefix("/") { return origin + location }
        let path = base[range.upperBound...].drop { $0 != "/" }.prefix { $0 != "?" }
        return origin + (path.lastIndex(of: "/").map { path[...$0] } ?? "/") + location
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
