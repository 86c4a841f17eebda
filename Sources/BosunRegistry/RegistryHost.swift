/// Where requests for one registry go: its base URL (or a mirror's), over HTTPS unless marked insecure.
struct RegistryHost: Sendable, Hashable, CustomStringConvertible {
    /// `host[:port]` as named in references and configuration (`docker.io`, `127.0.0.1:5000`).
    var name: String
    /// `https://registry-1.docker.io`, `http://127.0.0.1:5000`.
    var baseURL: String
    var isMirror: Bool

    var description: String { name }

    /// The endpoints for `registry`, mirrors first.
    static func endpoints(for registry: String, configuration: RegistryConfiguration) -> [RegistryHost] {
        var out: [RegistryHost] = []
        for mirror in configuration.mirrors[registry] ?? [] {
            out.append(endpoint(mirror, configuration: configuration, isMirror: true))
        }
        out.append(endpoint(registry, configuration: configuration, isMirror: false))
        return out
    }

    static func endpoint(_ text: String, configuration: RegistryConfiguration, isMirror: Bool) -> RegistryHost {
        var host = Substring(text)
        var scheme: String?
        for prefix in ["https://", "http://"] where host.hasPrefix(prefix) {
            scheme = String(prefix.dropLast(3))
            host = host.dropFirst(prefix.count)
        }
        while host.hasSuffix("/") { host = host.dropLast() }
        let name = String(host)
        let dialled = name == "docker.io" ? "registry-1.docker.io" : name
        let chosen = scheme ?? (configuration.isInsecure(name) ? "http" : "https")
        return RegistryHost(name: name, baseURL: "\(chosen)://\(dialled)", isMirror: isMirror)
    }

    /// Whether `host[:port]` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
    static func isLoopback(_ registry: String) -> Bool {
        var host = Substring(registry)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[host.index(after: host.startIndex)..<close]
            return host == "::1" || host == "0:0:0:0:0:0:0:1"
        }
        if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { host = host[..<colon] }
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
