public import BosunTrust
public import BosunModel
import BosunYAML
public import BosunFailure

/// The agent's configuration (`/etc/bosun/config.yaml`): where desired state comes from, how often to look,
/// where secrets are kept, and how to react to drift. Flags override it field by field.
public struct AgentConfig: Sendable, Hashable {
    /// What to do when the live state drifts from the desired state between commits (enforce or observe).
    public typealias DriftMode = BosunModel.DriftMode

    /// A git URL or local repository path.
    public var repository: String?
    public var ref: String?
    /// The manifests' directory in the repository.
    public var path = "."
    public var pollInterval = ComposeDuration.seconds(60)
    /// Up to this fraction of the interval is added at random to each wait, so fleets do not poll in step.
    public var jitter = 0.1
    public var stateDirectory = "/var/lib/bosun"
    /// The default for projects that do not set `x-bosun: {drift: …}`.
    public var drift = DriftMode.enforce
    /// How often live state is compared with the desired state when nothing changed in git.
    public var driftInterval = ComposeDuration.seconds(30)
    public var credentials = Credentials()
    public var webhook: Webhook?
    /// The root-only control socket for `bosun status`, `sync` and `logs` while the agent runs.
    public var controlSocket = "/run/bosun/agent.sock"
    /// How much of the host the repository may reach (`policy: {level, allow}`); baseline by default.
    public var policy = HostPolicy()
    /// What a commit must carry to be converged (`verify: {signatures, allowed_signers, principal}`); off by default.
    public var verify = SignaturePolicy()

    public init() {}

    /// Files holding secrets: never the secrets themselves, so the config can be world-readable.
    public struct Credentials: Sendable, Hashable {
        public var username: String?
        public var passwordFile: String?
        public var tokenFile: String?
        public var sshKeyFile: String?
        public var sshKnownHostsFile: String?
        public var sshHostKey: String?
        public var caFile: String?
        public init() {}
    }

    /// The webhook endpoint: an address to listen on and the file holding the shared secret.
    public struct Webhook: Sendable, Hashable {
        /// `127.0.0.1:9099`, `[::1]:9099` or `0.0.0.0:9099`.
        public var listen: String
        public var secretFile: String
        public init(listen: String, secretFile: String) {
            self.listen = listen
            self.secretFile = secretFile
        }
    }
}

/// A problem in the agent's configuration, with its place in the file.
public struct AgentConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

extension AgentConfig {
    static let topLevelKeys: Set<String> = [
        "repo", "ref", "path", "interval", "jitter", "state_dir", "drift", "drift_interval", "credentials", "webhook", "control_socket", "policy",
        "verify",
    ]
    static let credentialKeys: Set<String> = [
        "username", "password_file", "token_file", "ssh_key_file", "ssh_known_hosts_file", "ssh_host_key", "ca_file",
    ]

    /// Parses a config file's text; every problem is reported at once, each with its line and column.
    /// `requireRepository` is false when a flag gives the repository.
    public static func parse(_ text: String, file: String, requireRepository: Bool = true) throws(AgentConfigErrors) -> AgentConfig {
        var errors: [AgentConfigError] = []
        func fail(_ node: YAMLNode, _ message: String) {
            errors.append(AgentConfigError(file: file, line: node.start.line, column: node.start.column, message: message))
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parseDocument(text)
        } catch {
            throw AgentConfigErrors([AgentConfigError(file: file, line: error.mark.line, column: error.mark.column, message: error.message)])
        }
        var config = AgentConfig()
        guard let root, !root.isNull else { return config }
        guard let pairs = root.mapping else {
            throw AgentConfigErrors([AgentConfigError(file: file, line: root.start.line, column: root.start.column,
                                                      message: "the config must be a mapping of settings, not \(root.kindDescription)")])
        }
        func string(_ node: YAMLNode, _ key: String) -> String? {
            guard let text = node.scalar, !node.isNull, !text.isEmpty else {
                fail(node, "`\(key)` must be a non-empty string")
                return nil
            }
            return text
        }
        func duration(_ node: YAMLNode, _ key: String) -> ComposeDuration? {
            guard let text = string(node, key) else { return nil }
            do {
                let value = try ComposeDuration(parsing: text)
                guard value.nanoseconds >= 1_000_000_000 else {
                    fail(node, "`\(key)` must be at least 1s, not \(text)")
                    return nil
                }
                return value
            } catch {
                fail(node, "`\(key)`: \(error.message)")
                return nil
            }
        }
        for pair in pairs {
            guard let key = pair.key.scalar else {
                fail(pair.key, "keys must be strings")
                continue
            }
            let value = pair.value
            switch key {
            case "repo": config.repository = string(value, key)
            case "ref": config.ref = string(value, key)
            case "path": if let path = string(value, key) { config.path = path }
            case "interval": if let interval = duration(value, key) { config.pollInterval = interval }
            case "drift_interval": if let interval = duration(value, key) { config.driftInterval = interval }
            case "jitter":
                if let text = string(value, key) {
                    if let jitter = Double(text), jitter >= 0, jitter <= 1 { config.jitter = jitter } else {
                        fail(value, "`jitter` is a fraction of the interval between 0 and 1, not \(text)")
                    }
                }
            case "state_dir":
                if let path = string(value, key) {
                    if path.hasPrefix("/") { config.stateDirectory = path } else { fail(value, "`state_dir` must be an absolute path") }
                }
            case "control_socket":
                if let path = string(value, key) {
                    if path.hasPrefix("/") { config.controlSocket = path } else { fail(value, "`control_socket` must be an absolute path") }
                }
            case "drift":
                if let text = string(value, key) {
                    if let mode = DriftMode(rawValue: text) { config.drift = mode } else {
                        fail(value, "`drift` is enforce or observe, not \(text)")
                    }
                }
            case "credentials": config.credentials = credentials(value, fail: fail, string: string)
            case "policy": config.policy = policy(value, fail: fail, string: string)
            case "verify": config.verify = verify(value, fail: fail, string: string)
            case "webhook":
                guard value.mapping != nil else {
                    fail(value, "`webhook` must be a mapping with `listen` and `secret_file`")
                    continue
                }
                for pair in value.mapping ?? [] where !["listen", "secret_file"].contains(pair.key.scalar ?? "") {
                    fail(pair.key, "unknown webhook setting `\(pair.key.scalar ?? "?")`; known: listen, secret_file")
                }
                let listen = value["listen"].flatMap { string($0, "webhook.listen") }
                let secret = value["secret_file"].flatMap { string($0, "webhook.secret_file") }
                if value["secret_file"] == nil { fail(value, "`webhook` needs `secret_file`: unsigned webhooks are refused") }
                if let listen, let secret { config.webhook = Webhook(listen: listen, secretFile: secret) }
                else if value["listen"] == nil { fail(value, "`webhook` needs `listen`, e.g. 127.0.0.1:9099") }
            default:
                let hint = closest(key, in: topLevelKeys).map { "; did you mean `\($0)`?" } ?? ""
                fail(pair.key, "unknown setting `\(key)`\(hint)")
            }
        }
        if errors.isEmpty && config.repository == nil && requireRepository {
            fail(root, "`repo` is required: the git URL or path of the repository holding the desired state")
        }
        if !errors.isEmpty { throw AgentConfigErrors(errors) }
        return config
    }

    static func credentials(_ node: YAMLNode, fail: (YAMLNode, String) -> Void, string: (YAMLNode, String) -> String?) -> Credentials {
        var credentials = Credentials()
        guard let pairs = node.mapping else {
            fail(node, "`credentials` must be a mapping")
            return credentials
        }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            guard credentialKeys.contains(key) else {
                if key == "password" || key == "token" {
                    fail(pair.key, "`credentials.\(key)` would put a secret in the config; use `\(key)_file` naming a file only root can read")
                } else {
                    fail(pair.key, "unknown credentials setting `\(key)`; known: \(credentialKeys.sorted().joined(separator: ", "))")
                }
                continue
            }
            guard let value = string(pair.value, "credentials.\(key)") else { continue }
            switch key {
            case "username": credentials.username = value
            case "password_file": credentials.passwordFile = value
            case "token_file": credentials.tokenFile = value
            case "ssh_key_file": credentials.sshKeyFile = value
            case "ssh_known_hosts_file": credentials.sshKnownHostsFile = value
            case "ssh_host_key": credentials.sshHostKey = value
            default: credentials.caFile = value
            }
        }
        if credentials.sshKnownHostsFile != nil && credentials.sshHostKey != nil {
            fail(node, "give `ssh_host_key` or `ssh_known_hosts_file`, not both")
        }
        return credentials
    }

    static func closest(_ key: String, in keys: Set<String>) -> String? {
        DidYouMean.suggestion(for: key, among: keys.sorted())
    }
}

/// Every problem found in a config file.
public struct AgentConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [AgentConfigError]
    public init(_ errors: [AgentConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

extension AgentConfigError: FailureDescribing {
    public var failure: Failure {
        Failure(action: "read the agent configuration", object: "\(file):\(line):\(column)", cause: message, handling: .fixInput)
    }
}

extension AgentConfigErrors: FailureDescribing {
    /// Every problem of the file, one per line, as the cause.
    public var failure: Failure { Failure(action: "read the agent configuration", cause: description, handling: .fixInput) }
}
