import BosunCgroups
import BosunOCI
import CBosunSys
import Foundation
import Glibc

extension ContainerRuntime {
    struct Launched {
        var pid: Int32
        /// The caller's end of the init socket; it reaches end of file when the init execs.
        var channel: Int32
        /// What was saved in state.json.
        var record: ContainerRecord
        /// The runtime's own console socket (`CreateOptions.ownConsole`), holding the pty master.
        var console: ConsoleListener?
    }

    /// Creates the container through the init protocol: config out; the helper's `pid`, the init's `hooks`
    /// (answered after prestart/createRuntime hooks) and `ready` in. `spawner` starts the helper — the caller
    /// itself, or a container monitor for detached containers.
    func launch(id: String, bundle bundlePath: String, options: CreateOptions,
                spawner: any HelperSpawner = DirectHelperSpawner()) throws(RuntimeError) -> Launched {
        try ContainerStore.validate(id: id)
        let (bundle, loadedSpec, loadedBytes) = try ContainerRuntime.loadBundleBytes(bundlePath)
        var spec = loadedSpec
        var specBytes = loadedBytes
        let raisable = Capabilities.raisableAmbient(loadedSpec.process?.capabilities, warn: warn)
        spec.process?.capabilities = raisable
        if spec != loadedSpec {
            // The helper reads config.json's bytes; only a spec bosun had to adjust is encoded again.
            do { specBytes = Array(try JSONEncoder().encode(spec)) } catch {
                throw RuntimeError("encode the container's config.json", detail: "\(error)")
            }
        }
        let rootfs = try ContainerRuntime.rootfs(of: spec, bundle: bundle)
        try SecurityLabels.check(process: spec.process, mountLabel: spec.linux?.mountLabel, step: "create container `\(id)`")
        guard spec.linux?.namespaces?.contains(where: { $0.type == "mount" }) == true else {
            throw RuntimeError("read `linux.namespaces` in `\(bundle)/config.json`", detail: "a mount namespace is required")
        }
        let ownConsole = spec.process?.terminal == true && options.consoleSocket == nil
        if ownConsole && !options.ownConsole {
            throw RuntimeError("allocate a terminal", detail: "`process.terminal` is true but no --console-socket was given")
        }
        let seccomp = try compileSeccomp(spec)
        let hooks = spec.hooks
        let pauseForHooks = !(hooks?.prestart ?? []).isEmpty || !(hooks?.createRuntime ?? []).isEmpty
        var config = InitConfig(id: id, bundle: bundle, rootfs: rootfs, spec: spec, fifoPath: store.fifo(id),
                                consoleSocket: options.consoleSocket.map(ContainerRuntime.absolute), seccomp: seccomp,
                                pauseForRuntimeHooks: pauseForHooks)
        try store.prepare(id)
        let console = ownConsole ? try ConsoleListener(path: store.directory(id) + "/console.sock") : nil
        if let console { config.consoleSocket = console.path }
        var pid: Int32?
        var channelFD: Int32 = -1
        var cgroup: ContainerCgroup?
        do throws(RuntimeError) {
            let planned = try ContainerCgroup.plan(spec: spec, id: id, root: cgroupRoot)
            config.cgroupProcs = planned?.joinFiles ?? []
            if let planned, planned.isJoinedAtSpawn {
                try planned.create(warn: warn)
                cgroup = planned
            }
            let (callerEnd, helperEnd) = try InitChannel.pair()
            channelFD = callerEnd
            let helper: pid_t?
            do {
                helper = try spawner.spawn(helper: helperExecutable, socket: helperEnd, cgroup: planned)
            } catch {
                Sys.close(helperEnd)
                throw error
            }
            Sys.close(helperEnd)
            var helperReaped = helper == nil
            defer { if !helperReaped, let helper { _ = Sys.waitpid(helper) } }
            // The config goes out first and (on v1) the cgroup is made while the helper starts and decodes it;
            // the last datagram (the seccomp filter) follows once the cgroup exists, and only then does the helper
            // join it (on v2 it was cloned into it and finds itself there). Without that datagram (end of file)
            // the helper exits.
            let datagrams = try config.datagrams(specBytes: specBytes)
            for datagram in datagrams.dropLast() {
                try Sys.send(callerEnd, datagram, step: "send the config to the runtime helper")
            }
            do throws(RuntimeError) {
                if cgroup == nil {
                    try planned?.create(warn: warn)
                    cgroup = planned
                }
            } catch {
                Sys.close(callerEnd)
                channelFD = -1
                throw error
            }
            let channel = InitChannel(fd: callerEnd)
            try Sys.send(callerEnd, datagrams[datagrams.count - 1], step: "send the config to the runtime helper")
            // The helper's `pid` and the init's messages may arrive in either order.
            var ready = false
            while pid == nil || !ready {
                guard let message = try channel.receive() else {
                    let who = pid == nil ? "the runtime helper" : "the container init"
                    throw RuntimeError("start the container", detail: "\(who) exited without reporting")
                }
                switch message.kind {
                case .pid:
                    pid = message.pid
                    if let helper { _ = Sys.waitpid(helper) }
                    helperReaped = true
                case .ready: ready = true
                case .error: throw message.error ?? RuntimeError("start the container")
                case .hooks:
                    // The environment is made (lifecycle step 2), so the hooks see `created`, as the spec's
                    // status list says and the validation suite's hooks_stdin checks.
                    let state = ContainerState(id: id, status: "created", pid: message.pid, bundle: bundle, annotations: spec.annotations)
                    try HookRunner.run(hooks?.prestart, phase: "prestart", state: state)
                    try HookRunner.run(hooks?.createRuntime, phase: "createRuntime", state: state)
                    try channel.send(InitMessage(kind: .resume))
                case .resume: continue
                }
            }
            guard let pid, let info = ProcStat(pid: pid) else {
                throw RuntimeError("start the container", detail: "the container init is gone")
            }
            let record = ContainerRecord(id: id, bundle: bundle, rootfs: rootfs, pid: pid, startTime: info.startTime, created: Date(),
                                         annotations: spec.annotations, hooks: hooks, cgroupPath: cgroup?.recordedPath,
                                         hasProcess: spec.process != nil, bootID: BootID.current,
                                         cgroupRoot: cgroupRoot == ContainerRuntime.defaultCgroupRoot ? nil : cgroupRoot)
            try store.save(record)
            if let pidFile = options.pidFile {
                do {
                    try "\(pid)".write(toFile: pidFile, atomically: true, encoding: .utf8)
                } catch {
                    throw RuntimeError("write pid file `\(pidFile)`", detail: error.localizedDescription)
                }
            }
            return Launched(pid: pid, channel: callerEnd, record: record, console: console)
        } catch {
            if let pid, pid > 0 {
                Glibc.kill(pid, SIGKILL)
                _ = waitpid(pid, nil, WNOHANG)
            }
            if channelFD >= 0 { Sys.close(channelFD) }
            try? cgroup?.remove()
            store.remove(id)
            throw error
        }
    }
}
