import BosunAgent
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
        var fromConfig: String?
        let file = agentConfig ?? (FileManager.default.fileExists(atPath: Self.defaultAgentConfig) ? Self.defaultAgentConfig : nil)
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure(.usage, "\(file): cannot read the agent config")
            }
            do { hostPolicy = try AgentConfig.parse(text, file: file, requireRepository: false).policy } catch {
                throw CommandFailure(.usage, "\(error)")
            }
            fromConfig = file
        }
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
}
