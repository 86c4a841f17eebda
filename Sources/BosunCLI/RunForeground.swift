import BosunBundle
import BosunContainers
import BosunImageStore
import BosunModel
import BosunRuntime
import BosunRuntimeCLI
import CBosunSys
import Dispatch
import Foundation
import Glibc

/// `bosun run` in the foreground, as `docker run`: the container runs under its own `bosun-monitor` — recorded
/// before it starts, listed by `bosun ps -a`, removable with `bosun rm -f` — with this process's stdout and
/// stderr (and stdin with `-i`, a pty relayed to this terminal with `-t`). SIGINT, SIGTERM, SIGHUP, SIGQUIT,
/// SIGUSR1 and SIGUSR2 are forwarded to it (Docker's `--sig-proxy`). When it exits, its monitor removes it
/// (`bosun rm -f`), also when this process is gone (killed, crashed); `bosun run` returns the container's status
/// once it is removed.
extension RunCommand {
    static let forwardedSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    func runForeground(record: ImageRecord, store: ImageStore, container: ContainerDirectory, request: RunRequest) throws -> Int32 {
        var request = request
        request.terminal = tty
        let containers = state.detachedContainers()
        var started: DetachedStart?
        do {
            try container.prepare(hostname: request.hostname, hostNetwork: network == "host")
            let spec = try writeBundle(record: record, store: store, container: container, request: &request)
            let metadata = ContainerMetadata(
                name: container.name, image: .init(reference: record.reference, digest: record.manifestDigest.description),
                command: spec.process?.args ?? [], stopSignal: stopSignal ?? request.imageConfig.config?.stopSignal,
                log: LogOptions(), network: network, ports: publish.flatMap { (try? PortMapping.parseShort($0)) ?? [] }.map(\.publishedText),
                bundle: container.bundle)
            let networking = try RunNetworking(command: self, state: state.resolvedStateDir, container: container)
            let console = tty ? try ConsoleListener(path: container.root + "/console.sock") : nil
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            defer { close(null) }
            let input: Int32 = interactive && !tty ? 0 : null
            guard let bosun = RuntimeHelperLocation.beside("bosun-cli") else {
                throw CommandFailure(.internalError, "find bosun-cli beside this executable (the monitor removes the container with it)")
            }
            let forwarding = SignalForwarding(Self.forwardedSignals)
            defer { forwarding.stop() }
            do {
                started = try containers.create(metadata, options: CreateOptions(consoleSocket: console?.path),
                                                beforeStart: { pid in try networking.attach(pid: pid) },
                                                adjust: { monitor in
                                                    monitor.attachedStdio = [input, 1, 2]
                                                    monitor.autoremove = (bosun, container.name, state.resolvedStateDir)
                                                })
            } catch {
                networking.detach()
                container.cleanUp()
                throw error
            }
            guard let started else { return 125 }
            forwarding.target(started.pid)
            let exited = bosun_pidfd_open(started.pid)
            defer { if exited >= 0 { close(exited) } }
            if let console {
                let master = try console.receiveMaster()
                defer { close(master) }
                TerminalRelay.relay(master: master, until: exited, input: interactive ? 0 : -1)
            } else {
                var ready = [pollfd(fd: exited, events: Int16(POLLIN), revents: 0)]
                while exited >= 0 && poll(&ready, 1, -1) < 0 && errno == EINTR {}
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            if started == nil { container.cleanUp() }
            throw CommandFailure(.internalError, "\(error)")
        }
        return Self.waitForRemoval(containers, name: container.name, monitorPid: started?.monitorPid)
    }

    /// The container's exit code from its exit record, once its monitor (then `bosun rm -f`) is done.
    static func waitForRemoval(_ containers: DetachedContainers, name: String, monitorPid: Int32?) -> Int32 {
        var code: Int32?
        let deadline = Date().addingTimeInterval(60)
        while code == nil && Date() < deadline {
            guard let status = try? containers.inspect(name, stats: false) else {
                code = 128 + SIGKILL  // removed under us (`bosun rm -f`): as Docker's client, killed
                break
            }
            if case .exited(let record) = status.state { code = record.exitCode } else { usleep(10_000) }
        }
        if let monitorPid {
            let monitor = bosun_pidfd_open(monitorPid)
            if monitor >= 0 {
                var ready = [pollfd(fd: monitor, events: Int16(POLLIN), revents: 0)]
                _ = poll(&ready, 1, 30_000)
                close(monitor)
            }
        }
        return code ?? 125
    }
}

/// Signals to this process forwarded to the container's init (before it starts, the last one is kept and
/// sent once it runs). The signals are ignored by this process meanwhile; `stop` restores their handlers.
final class SignalForwarding: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let lock = NSLock()
    private var pid: Int32?
    private var pending: Int32?
    private let signals: [Int32]

    init(_ signals: [Int32]) {
        self.signals = signals
        let queue = DispatchQueue(label: "bosun.signal-forwarding")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            sources.append(source)
        }
        self.sources = sources
        for (number, source) in zip(signals, sources) {
            source.setEventHandler { [weak self] in self?.forward(number) }
            source.resume()
        }
    }

    func target(_ pid: Int32) {
        lock.lock()
        self.pid = pid
        let waiting = pending
        pending = nil
        lock.unlock()
        if let waiting { kill(pid, waiting) }
    }

    private func forward(_ number: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard let pid else { pending = number; return }
        // The container is gone (bosun waits on something that will not end): the signal acts on bosun itself.
        if kill(pid, number) != 0 && errno == ESRCH {
            signal(number, SIG_DFL)
            raise(number)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
