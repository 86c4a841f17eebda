import ArgumentParser
import BosunAgent
import BosunGit
import BosunModel
import Foundation
import BosunRuntimeCLI

/// `bosun agent`: converge continuously — at start, on a jittered poll, on a signed webhook, on `bosun sync`
/// or SIGHUP — check drift between commits and apply restart policies, until SIGTERM.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent: converge this host to git continuously (polling, webhooks, drift, restart policies).",
        discussion: """
        Reads /etc/bosun/config.yaml (or --config); flags override it field by field. A bad config exits 2 with \
        every error at file:line:column before anything starts. Logs one event per line as key=value on stdout. \
        SIGHUP converges now; SIGTERM or SIGINT finishes or safely stops the convergence in flight, journals it \
        and exits 0 — containers keep running. See docs/agent.md.
        """)

    @Option(help: ArgumentHelp("The agent's config file.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The git URL or path of the repository (overrides repo:).", valueName: "url|path"))
    var repo: String?

    @Option(help: ArgumentHelp("A branch, tag or commit id (overrides ref:).", valueName: "ref"))
    var ref: String?

    @Option(help: ArgumentHelp("The manifests' directory in the repository (overrides path:).", valueName: "dir"))
    var path: String?

    @Option(help: ArgumentHelp("How often to poll git, e.g. 60s or 5m (overrides interval:).", valueName: "duration"))
    var interval: String?

    @Option(help: ArgumentHelp("How often to compare the live state with the desired state (overrides drift_interval:).", valueName: "duration"))
    var driftInterval: String?

    @Option(help: ArgumentHelp("enforce or observe: the default for projects without x-bosun drift (overrides drift:).", valueName: "mode"))
    var drift: String?

    @Option(help: ArgumentHelp("State directory (overrides state_dir:).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("The control socket's path (overrides control_socket:).", valueName: "path"))
    var controlSocket: String?

    @OptionGroup var registry: HostEngineOptions

    @Flag(help: "Converge once and exit: 0 converged or nothing to do, 1 otherwise.")
    var once = false

    static let defaultConfig = "/etc/bosun/config.yaml"

    func run() async throws {
        let config = try loadConfig()
        try await AgentRunner(config: config, registry: registry, once: once).run()
    }

    /// The config file with the flags applied. Every problem ends the command with exit code 2.
    func loadConfig() throws -> AgentConfig {
        let file = config ?? Self.defaultConfig
        var settings = AgentConfig()
        if let data = FileManager.default.contents(atPath: file) {
            guard let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure(.usage, "\(file): the config is not UTF-8 text")
            }
            do {
                settings = try AgentConfig.parse(text, file: file, requireRepository: repo == nil)
            } catch {
                let lines = error.errors.map { "\($0.file):\($0.line):\($0.column): error: \($0.message)\n" }.joined()
                FileHandle.standardError.write(Data(lines.utf8))
                let count = error.errors.count
                throw CommandFailure(.usage, "\(count) error\(count == 1 ? "" : "s") in \(file); the agent did not start")
            }
        } else if config != nil || repo == nil {
            throw CommandFailure(.usage, "cannot read the config \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")"
                                 + (config == nil ? "; give --config FILE or --repo URL" : ""))
        }
        var problems: [String] = []
        if let repo { settings.repository = repo }
        if let ref { settings.ref = ref }
        if let path { settings.path = path }
        func duration(_ text: String?, _ flag: String) -> ComposeDuration? {
            guard let text else { return nil }
            guard let value = try? ComposeDuration(parsing: text), value.nanoseconds >= 1_000_000_000 else {
                problems.append("--\(flag) \(text): give a duration of at least 1s, e.g. 30s or 5m")
                return nil
            }
            return value
        }
        if let value = duration(interval, "interval") { settings.pollInterval = value }
        if let value = duration(driftInterval, "drift-interval") { settings.driftInterval = value }
        if let drift {
            if let mode = DriftMode(rawValue: drift) { settings.drift = mode } else { problems.append("--drift \(drift): give enforce or observe") }
        }
        if let stateDir {
            if stateDir.hasPrefix("/") { settings.stateDirectory = stateDir } else { problems.append("--state-dir \(stateDir): give an absolute path") }
        }
        if let controlSocket { settings.controlSocket = controlSocket }
        if settings.repository == nil { problems.append("no repository: set repo: in \(file) or give --repo") }
        if !problems.isEmpty { throw CommandFailure(.usage, problems.joined(separator: "\n")) }
        return settings
    }
}
