public import BosunImageSpec
import Foundation

/// How bosun reaches registries: credentials, trust, plain-HTTP exceptions, mirrors and download limits.
public struct RegistryConfiguration: Sendable {
    /// Credentials by registry host (`docker.io`, `registry.example.com:5000`).
    public var credentials: [String: RegistryCredential]
    /// Registries reached over plain HTTP. Loopback registries are insecure by default, as in Docker — unless
    /// `certificatesDirectory` has a directory for them, which asks for HTTPS with that CA.
    public var insecureRegistries: Set<String>
    /// Mirrors by registry host, tried in order before the registry itself: `host[:port]` or `http://host:port`.
    public var mirrors: [String: [String]]
    /// Docker's `certs.d` directory: `<dir>/<host:port>/ca.crt` is trusted for that registry besides the system CAs.
    public var certificatesDirectory: String?
    /// The platform picked from an image index.
    public var platform: Platform
    /// Layers downloaded at once.
    public var maximumConcurrentDownloads: Int
    /// Attempts per request on network errors, 5xx and 429, with exponential backoff from `initialBackoff`.
    public var maximumAttempts: Int
    public var initialBackoff: Duration
    /// How long one request may take to connect, and to go without receiving a byte.
    public var connectTimeout: Duration
    public var readTimeout: Duration

    public init(
        credentials: [String: RegistryCredential] = [:],
        insecureRegistries: Set<String> = [],
        mirrors: [String: [String]] = [:],
        certificatesDirectory: String? = nil,
        platform: Platform = .host,
        maximumConcurrentDownloads: Int = 3,
        maximumAttempts: Int = 4,
        initialBackoff: Duration = .milliseconds(200),
        connectTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(60)
    ) {
        self.credentials = credentials
        self.insecureRegistries = insecureRegistries
        self.mirrors = mirrors
        self.certificatesDirectory = certificatesDirectory
        self.platform = platform
        self.maximumConcurrentDownloads = max(1, maximumConcurrentDownloads)
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// Whether `host` (a registry or mirror `host[:port]`) is reached over plain HTTP.
    public func isInsecure(_ host: String) -> Bool {
        if insecureRegistries.contains(host) { return true }
        guard RegistryHost.isLoopback(host) else { return false }
        var isDirectory: ObjCBool = false
        let trusted = certificatesDirectory.map {
            FileManager.default.fileExists(atPath: "\($0)/\(host)", isDirectory: &isDirectory) && isDirectory.boolValue
        } ?? false
        return !trusted
    }

    /// Adds the credentials of a Docker-style `config.json`; explicit ones already present win.
    public mutating func addCredentials(dockerConfigAt path: String) throws(RegistryError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError(.configuration, action: "read credentials", object: path, reason: "the file cannot be read")
        }
        let found = try DockerConfigFile.credentials(from: Array(data), path: path)
        for (host, credential) in found where credentials[host] == nil {
            credentials[host] = credential
        }
    }
}

/// A user name and password (or identity token) for one registry. Its description never shows the secret.
public struct RegistryCredential: Sendable, Hashable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic base64(user:pass)`.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    public var description: String { "credential for \(username) (redacted)" }
}

extension Platform {
    /// This host's platform: Linux and the machine of `uname -m`.
    public static var host: Platform {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .linux(machine: machine)
    }
}
