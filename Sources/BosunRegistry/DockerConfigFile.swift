import Foundation

/// Reads the `auths` of a Docker client `config.json`: `auth` (base64 `user:pass`) or `username`/`password`.
enum DockerConfigFile {
    struct File: Decodable {
        var auths: [String: Entry]?
    }
    struct Entry: Decodable {
        var auth: String?
        var username: String?
        var password: String?
        var identitytoken: String?
    }

    static func credentials(from bytes: [UInt8], path: String) throws(RegistryError) -> [String: RegistryCredential] {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(bytes)) } catch {
            // The decoder's message could quote the file's contents: keep it out.
            throw RegistryError(.configuration, action: "read credentials", object: path, reason: "the file is not a valid docker config.json")
        }
        var out: [String: RegistryCredential] = [:]
        for (key, entry) in file.auths ?? [:] {
            let host = registryHost(fromConfigKey: key)
            if let auth = entry.auth, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw RegistryError(.configuration, action: "read credentials", object: path,
                                        reason: "the auth entry for \(host) is not base64 of user:password")
                }
                out[host] = RegistryCredential(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            } else if let username = entry.username, let password = entry.password {
                out[host] = RegistryCredential(username: username, password: password)
            }
        }
        return out
    }

    /// `https://index.docker.io/v1/` → `docker.io`; `https://host:5000/v2/` → `host:5000`; `host` stays.
    static func registryHost(fromConfigKey key: String) -> String {
        var host = Substring(key)
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = host.dropFirst(scheme.count) }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        switch host {
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com": return "docker.io"
        default: return String(host)
        }
    }
}
