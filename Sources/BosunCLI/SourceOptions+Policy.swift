import BosunAgent
import BosunTrust
import BosunModel
import Foundation
import BosunRuntimeCLI

extension SourceOptions {
    /// Where the agent's config is looked for when `--agent-config` is not given.
    static let defaultAgentConfig = "/etc/bosun/config.yaml"

    /// The host's policy for `apply`, `plan` and `validate`: the agent config's (`--agent-config`, or
    /// /etc/bosun/config.yaml when it exists), else baseline; `--policy LEVEL` (`--allow-privileged` is
    /// `--policy privileged`) sets the level where there is no config and may only tighten a config's.
    func hostPolicy() throws -> HostPolicy {
        var hostPolicy = HostPolicy()
        let read = try readAgentConfig()
        let fromConfig = read?.file
        if let read { hostPolicy = read.config.policy }
        let requested: HostPolicy.Level?
        if let policy {
            guard let level = HostPolicy.Level(rawValue: policy) else {
                throw CommandFailure(.usage, "--policy \(policy): give restricted, baseline or privileged")
            }
            if allowPrivileged && level != .privileged {
                throw CommandFailure(.usage, "--allow-privileged is --policy privileged; it contradicts --policy \(policy)")
            }
            requested = level
        } else {
            requested = allowPrivileged ? .privileged : nil
        }
        if let requested {
            if let fromConfig, requested > hostPolicy.level {
                throw CommandFailure(.usage, "--policy \(requested.rawValue) is looser than the host's policy level \(hostPolicy.level.rawValue) (\(fromConfig)); flags may only tighten it")
            }
            hostPolicy.level = requested
        }
        return hostPolicy
    }

    /// The agent's config (`--agent-config`, or /etc/bosun/config.yaml when it exists), nil without one.
    func readAgentConfig() throws -> (config: AgentConfig, file: String)? {
        guard let file = agentConfig ?? (FileManager.default.fileExists(atPath: Self.defaultAgentConfig) ? Self.defaultAgentConfig : nil) else { return nil }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(.usage, "\(file): cannot read the agent config")
        }
        do { return (try AgentConfig.parse(text, file: file, requireRepository: false), file) } catch {
            throw CommandFailure(.usage, "\(error)")
        }
    }

    /// The signature policy for `apply`, `plan`, `validate` and `rollback`: the agent config's `verify`, which
    /// the flags may only tighten (a stricter mode or principal rule; another allowed-signers file only where
    /// the config names none).
    func signaturePolicy() throws -> SignaturePolicy {
        let read = try readAgentConfig()
        var policy = read?.config.verify ?? SignaturePolicy()
        let configured = policy
        let from = read.map { " (\($0.file))" } ?? ""
        if let verifySignatures {
            guard let mode = SignaturePolicy.Mode(rawValue: verifySignatures) else {
                throw CommandFailure(.usage, "--verify-signatures \(verifySignatures): give off, tip or tag")
            }
            if mode < configured.mode {
                throw CommandFailure(.usage, "--verify-signatures \(mode.rawValue) is looser than the agent config's \(configured.mode.rawValue)\(from); flags may only tighten it")
            }
            policy.mode = mode
        }
        /// A file flag: absolute, and not another file than one the config names.
        func file(_ flag: String, _ value: String?, configured named: String?) throws -> String? {
            guard let value else { return nil }
            if let named, configured.mode != .off, named != value {
                throw CommandFailure(.usage, "\(flag) \(value): the agent config\(from) names \(named); flags may only tighten it")
            }
            return value.hasPrefix("/") ? value : FileManager.default.currentDirectoryPath + "/" + value
        }
        if let path = try file("--allowed-signers", allowedSigners, configured: configured.allowedSigners) { policy.allowedSigners = path }
        if let path = try file("--gpg-keyring", gpgKeyring, configured: configured.gpgKeyring) { policy.gpgKeyring = path }
        if let signaturePrincipal {
            guard let rule = SSHSignatureVerifier.PrincipalRule(rawValue: signaturePrincipal) else {
                throw CommandFailure(.usage, "--signature-principal \(signaturePrincipal): give committer or any")
            }
            if rule == .any && configured.principal == .committer && configured.mode != .off {
                throw CommandFailure(.usage, "--signature-principal any is looser than the agent config's committer\(from); flags may only tighten it")
            }
            policy.principal = rule
        }
        if let problem = policy.problem { throw CommandFailure(.usage, problem.replacingOccurrences(of: "needs allowed_signers", with: "needs --allowed-signers")
            .replacingOccurrences(of: "or gpg_keyring", with: "or --gpg-keyring")) }
        return policy
    }
}
