public import BosunOCI
import BosunCgroups
import CBosunSys
import Foundation
import Glibc

/// Running a process in a running container, like `runc exec`. The caller never forks: the single-threaded
/// helper joins the container and clones the process as the caller's child (`CLONE_PARENT`), so the caller —
/// multithreaded or not — waits for its real exit status.
extension ContainerRuntime {
    /// The process `exec` runs by default: the container's own config.json `process` (user, env, cwd,
    /// capabilities, rlimits, no_new_privs) with `arguments` and without a terminal.
    public func execProcess(id: String, arguments: [String]) throws(RuntimeError) -> RuntimeSpec.Process {
        let record = try store.load(id)
        let (_, spec) = try ContainerRuntime.loadBundle(record.bundle)
        var process = spec.process ?? RuntimeSpec.Process()
        process.args = arguments
        process.commandLine = nil
        process.terminal = nil
        process.consoleSize = nil
        return process
    }

    /// Runs `arguments` in the container as its own process would run, waits for it and returns how it ended.
    /// Throws when it could not be run (`RuntimeError.execExitCode` gives Docker's 125/126/127).
    public func exec(id: String, arguments: [String], options: ExecOptions = ExecOptions()) throws(RuntimeError) -> ExecResult {
        try exec(id: id, process: execProcess(id: id, arguments: arguments), options: options)
    }

    /// Runs `process` in the container, waits for it (unless detached) and returns how it ended.
    public func exec(id: String, process: RuntimeSpec.Process, options: ExecOptions = ExecOptions()) throws(RuntimeError) -> ExecResult {
        try startExec(id: id, process: process, options: options).wait()
    }

    /// Starts `process` in the container and returns once it runs (its program exec'd); wait for it with
    /// `ExecProcess.wait()`.
    public func startExec(id: String, process requested: RuntimeSpec.Process, options: ExecOptions = ExecOptions()) throws(RuntimeError) -> ExecProcess {
        let record = try store.load(id)
        let status = store.status(of: record)
        guard status == "running" || status == "created" else {
            throw RuntimeError("exec in container `\(id)`", detail: "the container is \(status)", hint: "only a running container can run more processes")
        }
        guard let arguments = requested.args, !arguments.isEmpty, !arguments[0].isEmpty else {
            throw RuntimeError("exec in container `\(id)`", detail: "no program to run")
        }
        let (_, spec) = try ContainerRuntime.loadBundle(record.bundle)
        var process = requested
        process.capabilities = Capabilities.raisableAmbient(requested.capabilities, warn: warn)
        try SecurityLabels.check(process: process, mountLabel: nil, step: "exec in container `\(id)`")
        process.env = ContainerRuntime.merge(environment: process.env ?? [], with: options.environment)
        if let directory = options.workingDirectory { process.cwd = directory }
        guard process.cwd.hasPrefix("/") else {
            throw RuntimeError("exec in container `\(id)`", detail: "the working directory `\(process.cwd)` is not absolute")
        }
        if options.terminal { process.terminal = true }
        let attached = !options.detached
        let config = ExecConfig(containerID: id, pid: record.pid, startTime: record.startTime, process: process, userOverride: options.user,
                                seccomp: try compileSeccomp(spec),
                                cgroupProcs: record.cgroupPath.flatMap { ContainerCgroup.open(recordedPath: $0, root: record.cgroupRoot ?? cgroupRoot) }?.manager.processFiles ?? [],
                                attached: attached)
        let stdio = try ExecStdio(options: options, terminal: process.terminal == true)
        defer { stdio.closeHelperEnds() }
        let (callerEnd, helperEnd) = try InitChannel.pair()
        defer { Sys.close(callerEnd) }
        let helper: pid_t
        do {
            helper = try Spawn.start(helperExecutable, arguments: ["bosun", RuntimeHelper.modeArgument, "3", RuntimeHelper.execArgument],
                                     environment: [], fds: stdio.helperDescriptors + [(helperEnd, 3)],
                                     step: "start the runtime helper `\(helperExecutable)`")
        } catch {
            Sys.close(helperEnd)
            stdio.closeCallerEnds()
            throw error
        }
        Sys.close(helperEnd)
        stdio.closeHelperEnds()
        var pid: Int32?
        var master: (fd: Int32, name: String)?
        var failure: RuntimeError?
        do throws(RuntimeError) {
            let payload: [UInt8]
            do {
                payload = try Array(JSONEncoder().encode(config))
            } catch {
                throw RuntimeError("encode the exec config", detail: "\(error)")
            }
            try Sys.send(callerEnd, payload, step: "send the exec config to the runtime helper")
            // End of file once the helper has exited and the process has exec'd (the channel is close-on-exec).
            while let (bytes, fd) = try Sys.receiveMessage(callerEnd, step: "read from the exec helper") {
                if fd >= 0 {
                    master = (fd, String(decoding: bytes, as: UTF8.self))
                    continue
                }
                let message = try InitMessage.decode(bytes)
                switch message.kind {
                case .pid: pid = message.pid
                case .error: failure = failure ?? message.error ?? RuntimeError("exec in container `\(id)`")
                default: continue
                }
            }
        } catch {
            failure = failure ?? error
        }
        _ = Sys.waitpid(helper)
        if failure == nil && pid == nil {
            failure = RuntimeError("exec in container `\(id)`", detail: "the runtime helper exited without reporting")
        }
        if let failure {
            // The process failed before exec; as our child it is reaped here.
            if let pid, attached { _ = Sys.waitpid(pid) }
            if let master { Sys.close(master.fd) }
            stdio.closeCallerEnds()
            throw failure
        }
        let processID = pid ?? 0
        if let pidFile = options.pidFile {
            do {
                try "\(processID)".write(toFile: pidFile, atomically: true, encoding: .utf8)
            } catch {
                throw RuntimeError("write pid file `\(pidFile)`", detail: error.localizedDescription)
            }
        }
        return ExecProcess(pid: processID, attached: attached, terminal: master, output: stdio.captureRead, options: options)
    }

    /// The compiled `linux.seccomp` of a spec, or nil; a spec with a policy and no compiler is refused.
    func compileSeccomp(_ spec: RuntimeSpec) throws(RuntimeError) -> SeccompProgram? {
        guard let policy = spec.linux?.seccomp else { return nil }
        guard let seccompCompiler else {
            throw RuntimeError("apply `linux.seccomp`", detail: "this build has no seccomp compiler",
                               hint: "remove `linux.seccomp` from config.json or use a build with BosunSeccomp")
        }
        do {
            return try seccompCompiler.compile(policy)
        } catch {
            throw RuntimeError("compile `linux.seccomp`", detail: "\(error)")
        }
    }

    /// `base` with each `KEY=VALUE` of `additions` replacing the variable of the same name, or appended.
    static func merge(environment base: [String], with additions: [String]) -> [String] {
        var result = base
        for entry in additions {
            let key = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            if let index = result.firstIndex(where: { $0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0] == key }) {
                result[index] = entry
            } else {
                result.append(entry)
            }
        }
        return result
    }
}
