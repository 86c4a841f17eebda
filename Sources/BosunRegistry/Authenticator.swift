import Foundation

/// Remembers how each registry wants to be authenticated (from its last 401 challenge) and caches Bearer
/// tokens per (registry, scope) until they expire. Credentials pass through here but are never put in an error.
actor Authenticator {
    private struct TokenKey: Hashable {
        var host: String
        var scope: String
    }
    private struct Token {
        var value: String
        var expires: Date
    }

    private let transport: any RegistryTransport
    private var challenges: [String: AuthChallenge] = [:]
    private var tokens: [TokenKey: Token] = [:]
    /// Token requests under way, so concurrent downloads wait for one token instead of each fetching their own.
    private var pending: [TokenKey: Task<Token, any Error>] = [:]
    /// Tokens fetched, for tests and figures.
    private(set) var tokensFetched = 0

    init(transport: any RegistryTransport) {
        self.transport = transport
    }

    /// The `Authorization` value to send to `host` for `scope`, or nil before any challenge.
    func authorization(host: String, scope: String, credential: RegistryCredential?, object: String) async throws -> String? {
        guard let challenge = challenges[host] else { return nil }
        switch challenge.scheme {
        case .basic:
            return credential?.basicAuthorization
        case .bearer:
            let key = TokenKey(host: host, scope: scope)
            if let token = tokens[key], token.expires > Date() { return "Bearer \(token.value)" }
            let task = pending[key] ?? Task {
                try await self.fetchToken(challenge: challenge, scope: scope, credential: credential, host: host, object: object)
            }
            pending[key] = task
            defer { pending[key] = nil }
            let token = try await task.value
            tokens[key] = token
            return "Bearer \(token.value)"
        }
    }

    /// Records the challenges of a 401. Returns whether asking again with new authorization can help.
    func challenged(host: String, scope: String, headers: [String], credential: RegistryCredential?, sentAuthorization: Bool) -> Bool {
        let parsed = headers.compactMap(AuthChallenge.init(header:))
        guard let challenge = parsed.first(where: { $0.scheme == .bearer }) ?? parsed.first else { return false }
        let known = challenges[host]
        challenges[host] = challenge
        tokens[TokenKey(host: host, scope: scope)] = nil
        if !sentAuthorization { return challenge.scheme == .bearer || credential != nil }
        // A token may have been revoked early: one more try with a fresh one (the caller bounds the attempts).
        return challenge.scheme == .bearer || known != challenge
    }

    private func fetchToken(challenge: AuthChallenge, scope: String, credential: RegistryCredential?, host: String, object: String) async throws -> Token {
        guard let realm = challenge.realm, var components = URLComponents(string: realm),
              components.scheme == "https" || components.scheme == "http" else {
            throw RegistryError(.unauthorized, object: object, reason: "registry \(host) named no usable token service")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: scope))
        components.queryItems = query
        guard let url = components.string else {
            throw RegistryError(.unauthorized, object: object, reason: "registry \(host) named no usable token service")
        }
        var request = RegistryRequest(url: url, headers: [("Accept", "application/json")])
        if let credential { request.headers.append(("Authorization", credential.basicAuthorization)) }
        let started = Date()
        let response: RegistryResponse
        do { response = try await transport.send(request) } catch let error as RegistryError { throw error } catch {
            throw RegistryError(.network, object: object, reason: "cannot reach the token service of \(host): \(TransportFailure.words(error))")
        }
        let body = try await response.body.collect(limit: 1 << 20)
        switch response.status {
        case 200:
            break
        case 401, 403:
            throw RegistryError(.unauthorized, object: object, reason: "the token service of \(host) refused \(credential == nil ? "anonymous access" : "the credentials")",
                                status: response.status, hint: credential == nil ? "configure credentials for \(host)" : "check the credentials for \(host)")
        case 429, 500...599:
            throw RegistryError(response.status == 429 ? .tooManyRequests : .serverError, object: object,
                                reason: "the token service of \(host) failed", status: response.status, hint: "try again later")
        default:
            throw RegistryError(.unauthorized, object: object, reason: "the token service of \(host) answered unexpectedly", status: response.status)
        }
        struct Answer: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
            var issued_at: String?
        }
        guard let body, let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)),
              let value = answer.token ?? answer.access_token, !value.isEmpty else {
            throw RegistryError(.unauthorized, object: object, reason: "the token service of \(host) sent no token")
        }
        tokensFetched += 1
        // Docker's default lifetime is 60 s; renew a little early.
        let lifetime = Double(max(answer.expires_in ?? 60, 1))
        let issued = answer.issued_at.flatMap(Authenticator.parseDate).map { min($0, Date()) } ?? started
        return Token(value: value, expires: issued.addingTimeInterval(lifetime * 0.9))
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
