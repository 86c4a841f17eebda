import ArgumentParser
import BosunAgent
import BosunDaemon
import BosunGit
import BosunJournal
import BosunJournalFiles
import BosunModel
import Foundation
import BosunRuntimeCLI

/// Starts the agent from its config: credentials read from their files, the journal opened (an interrupted
/// convergence ended), the host engine built once, the control socket, the webhook endpoint, signals and
/// systemd notifications; then runs the loop until SIGTERM.
struct AgentRunner {
    var config: AgentConfig
    var registry: HostEngineOptions
    var once: Bool

    func run() async throws {
        guard getuid() == 0 else {
            throw CommandFailure(.internalError, "start the agent: it runs containers and owns a root-only control socket, so it must run as root")
        }
        ProcessMemory.limitArenas()
        let log = AgentLog()
        let access = try Self.access(config.credentials)
        var arguments = ["--repo", config.repository ?? "", "--path", config.path, "--state-dir", config.stateDirectory]
        if let ref = config.ref { arguments += ["--ref", ref] }
        let source: SourceOptions
        do { source = try SourceOptions.parse(arguments) } catch {
            throw CommandFailure(.usage, SourceOptions.message(for: error))
        }
        let webhookSecret = try config.webhook.map { try Self.secret(file: $0.secretFile, what: "webhook secret") }
        let webhookAddress = try config.webhook.map { webhook -> (host: String, port: Int) in
            guard let address = WebhookServer.parseListen(webhook.listen) else {
                throw CommandFailure(.usage, "webhook listen \(webhook.listen): give host:port, e.g. 127.0.0.1:9099")
            }
            return address
        }

        _ = try source.state.imageStore()  // creates the state directory (0700)
        let directory = config.stateDirectory
        let journal = try ApplyCommand.openJournal(directory)
        let salt: [UInt8]
        do { salt = try HostIdentity.salt(stateDirectory: directory) } catch { throw CommandFailure(.internalError, "\(error)") }
        let parts = try registry.engineParts(state: source.state)
        let snapshot = AgentSnapshot(startedAt: Int64(Date().timeIntervalSince1970 * 1000), repository: config.repository.map(Self.withoutUserInfo),
                                     ref: config.ref, path: config.path, pollInterval: config.pollInterval.description,
                                     driftInterval: config.driftInterval.description, defaultDrift: config.drift,
                                     webhook: config.webhook?.listen, stateDirectory: directory)
        var settings = ConvergingWork.Settings(repository: source.repo, ref: source.ref, path: source.path, stateDirectory: directory, access: access,
                                               loadOptions: source.loadOptions(policy: config.policy), defaultDrift: config.drift, policy: config.policy)
        settings.signatures = config.verify
        let starter = AgentContainerStarter(starter: ContainerStarter(stateDirectory: directory, detached: parts.containers, images: parts.engine.images,
                                                                      services: parts.engine.containers))
        let work = ConvergingWork(settings: settings, host: .init(engine: parts.engine, networks: parts.networks, containers: parts.containers, starter: starter),
                                  journal: journal, salt: salt, log: log, snapshot: snapshot)
        do { try work.start() } catch { throw CommandFailure(.internalError, "cannot journal the interrupted convergence: \(error)") }
        log.event("start", ["version": BosunVersion.current, "pid": String(getpid()), "repo": config.repository.map(Self.withoutUserInfo),
                            "ref": config.ref, "path": config.path, "interval": config.pollInterval.description, "drift": config.drift.rawValue,
                            "state_dir": directory])
        defer { Task { await parts.client.shutdown() } }

        if once {
            let report = await work.converge(trigger: .startup)
            log.event("convergence", ["trigger": "startup", "commit": report.commit.map { String($0.prefix(12)) }, "outcome": report.outcome,
                                      "summary": report.summary])
            await parts.client.shutdown()
            if report.failed { throw CommandFailure(.checkFailed, "") }
            return
        }

        let loop = AgentLoop(work: work, schedule: PollSchedule(interval: config.pollInterval, jitter: config.jitter),
                             driftInterval: config.driftInterval.nanoseconds, superviseInterval: 1_000_000_000,
                             notifier: SystemdNotifier(environment: ProcessInfo.processInfo.environment), log: { log.write($0) })
        let signals = AgentSignals(loop: loop, log: log)
        let control: ControlServer
        do {
            control = try await ControlServer.start(path: config.controlSocket) { request in
                await AgentControl.answer(request, loop: loop, work: work)
            }
        } catch {
            throw CommandFailure(.internalError, "start the control socket at \(config.controlSocket): \(error)")
        }
        var webhook: WebhookServer?
        if let webhookAddress, let webhookSecret {
            do {
                webhook = try await WebhookServer.start(host: webhookAddress.host, port: webhookAddress.port, secret: webhookSecret,
                                                        log: { log.write($0) }, trigger: { _ in loop.trigger(.webhook) })
            } catch {
                await control.stop()
                throw CommandFailure(.internalError, "listen for webhooks on \(config.webhook?.listen ?? ""): \(error)")
            }
            log.event("listen", ["webhook": "\(webhookAddress.host):\(webhook?.port ?? webhookAddress.port)", "path": "/webhook"])
        }
        log.event("listen", ["control_socket": config.controlSocket])
        await loop.run()
        signals.cancel()
        await webhook?.stop()
        await control.stop()
        await parts.client.shutdown()
    }

    /// The git access the config's credential files give; the files are read now, and their contents never logged.
    static func access(_ credentials: AgentConfig.Credentials) throws -> GitAccess {
        var access = GitAccess(caBundleFile: credentials.caFile)
        if let key = credentials.sshKeyFile {
            guard FileManager.default.isReadableFile(atPath: key) else {
                throw CommandFailure(.usage, "credentials ssh_key_file \(key): cannot read it")
            }
            access.credentials = .sshKey(SSHKeyCredential(privateKeyPath: key, passphrase: ProcessInfo.processInfo.environment["BOSUN_SSH_PASSPHRASE"],
                                                          username: credentials.username))
        } else if let file = credentials.tokenFile {
            let token = String(decoding: try secret(file: file, what: "token_file"), as: UTF8.self)
            access.credentials = credentials.username.map { .token(token, username: $0) } ?? .token(token)
        } else if let file = credentials.passwordFile {
            let password = String(decoding: try secret(file: file, what: "password_file"), as: UTF8.self)
            access.credentials = .userPassword(username: credentials.username ?? "", password: password)
        }
        do {
            if let key = credentials.sshHostKey { access.hostKeys = try SSHHostKeyTrust.pinned(key) }
        } catch {
            throw CommandFailure(.usage, "credentials ssh_host_key: \(error)")
        }
        if let file = credentials.sshKnownHostsFile { access.hostKeys = .knownHostsFile(file) }
        return access
    }

    /// A secret file's bytes without a trailing newline; refused when empty or unreadable.
    static func secret(file: String, what: String) throws -> [UInt8] {
        guard var bytes = FileManager.default.contents(atPath: file).map(Array.init) else {
            throw CommandFailure(.usage, "read the \(what) \(file): cannot read it (it should be a file only root can read)")
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw CommandFailure(.usage, "read the \(what) \(file): it is empty") }
        return bytes
    }

    /// `https://user:token@host/x` → `https://host/x`, for logs and status.
    static func withoutUserInfo(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
    }
}
