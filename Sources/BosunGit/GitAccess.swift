/// How bosun authenticates to a remote, kept apart from the URL so it is never stored in the mirror or logged.
public enum GitCredentials: Sendable, Equatable {
    /// No credentials; a server asking for some is an error.
    case none
    /// http(s) basic authentication (or ssh password authentication).
    case userPassword(username: String, password: String)
    /// An http(s) token sent as the password of `username` (GitHub uses `x-access-token`).
    case token(String, username: String = "x-access-token")
    /// An ssh private key file (ed25519 or ecdsa; RSA keys fail with libssh2 1.10).
    case sshKey(SSHKeyCredential)

    /// The secret strings, so they can be masked in any message.
    var secrets: [String] {
        switch self {
        case .none: return []
        case .userPassword(_, let password): return [password].filter { !$0.isEmpty }
        case .token(let token, _): return [token].filter { !$0.isEmpty }
        case .sshKey(let key): return [key.passphrase].compactMap { $0 }.filter { !$0.isEmpty }
        }
    }
}

/// An ssh private key file, with an optional public key file and passphrase.
public struct SSHKeyCredential: Sendable, Equatable {
    /// Path of the private key (OpenSSH format, ed25519 or ecdsa).
    public var privateKeyPath: String
    /// Path of the public key; nil lets libssh2 derive it from the private key.
    public var publicKeyPath: String?
    public var passphrase: String?
    /// The ssh user; nil uses the user in the URL, then `git`.
    public var username: String?

    public init(privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil, username: String? = nil) {
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath
        self.passphrase = passphrase
        self.username = username
    }
}

/// Everything needed to reach a remote besides its URL: credentials, ssh host keys and TLS trust.
public struct GitAccess: Sendable {
    public var credentials: GitCredentials
    /// The ssh host keys to trust; required for ssh URLs (an unknown host key is always refused).
    public var hostKeys: SSHHostKeyTrust?
    /// A PEM CA bundle that replaces the system bundle for https.
    ///
    /// libgit2 keeps CA locations in a process-wide option, so bosun serialises https fetches and sets
    /// the bundle (or restores the system one) before each; another libgit2 user in the same process
    /// would see these changes.
    public var caBundleFile: String?

    public init(credentials: GitCredentials = .none, hostKeys: SSHHostKeyTrust? = nil, caBundleFile: String? = nil) {
        self.credentials = credentials
        self.hostKeys = hostKeys
        self.caBundleFile = caBundleFile
    }
}

extension GitCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A form safe to log: secrets are replaced by `***`.
    public var description: String {
        switch self {
        case .none: return "none"
        case .userPassword(let username, _): return "user \(username) with password ***"
        case .token(_, let username): return "token *** as \(username)"
        case .sshKey(let key): return key.description
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension SSHKeyCredential: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A form safe to log: the passphrase is never shown.
    public var description: String {
        "ssh key \(privateKeyPath)\(passphrase == nil ? "" : " with passphrase ***")\(username.map { " as \($0)" } ?? "")"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
