import BosunModel
import BosunYAML

/// Reads one service of a compose file into the normalised `Service`, reporting every problem it finds.
struct ServiceDecoder {
    let name: String
    let reader: NodeReader
    let context: ProjectContext
    var sink: DiagnosticSink { reader.sink }

    func decode(_ node: YAMLNode) -> Service? {
        let pairs = reader.mapping(node, "service \"\(name)\"", known: ComposeKeys.service)
        guard node.mapping != nil else { return nil }
        var image: ImageReference?
        let imageNode = node["image"]
        if let imageNode, let text = reader.string(imageNode, "image") {
            do { image = try ImageReference(parsing: text) } catch {
                sink.error(imageNode.start, error.message, hint: "write e.g. nginx:1.27, ghcr.io/org/app:v2 or registry:5000/app@sha256:…")
            }
        } else if imageNode == nil {
            if let build = node["build"] {
                sink.error(build.start, "service \"\(name)\" has build: but no image:; bosun does not build images",
                           hint: "build and push the image in CI, then set image: to its reference")
            } else {
                sink.error(node.start, "service \"\(name)\" has no image", hint: "add image: with the image to run")
            }
        }
        var service = Service(name: name, image: image ?? ImageReference.placeholder)
        var environmentFromFiles: [String: String] = [:]
        var envFilePaths: [String] = []
        var environment: [String: String] = [:]
        var memLimit: ByteSize?, memReservation: ByteSize?, cpus: Int?, pidsLimit: Int?
        var deploy: DeployValues?
        var restartSet = false

        for (key, value, keyNode) in pairs {
            switch key {
            case "image": break
            case "command": service.command = command(value, key)
            case "entrypoint": service.entrypoint = command(value, key)
            case "environment":
                for (k, v, entry) in reader.stringMap(value, "environment") {
                    if value.sequence != nil, k.contains(where: \.isWhitespace) || k.isEmpty {
                        // Compose refuses `- "A = x"`: the name would be "A " and the value " x".
                        sink.error(entry.start, "environment entry \"\(entry.scalar ?? k)\" has \(k.isEmpty ? "no name" : "whitespace in its name \"\(k)\"")",
                                   hint: "write NAME=value with no spaces around =")
                        continue
                    }
                    if let v { environment[k] = v } else if let fromAgent = context.lookup(k) { environment[k] = fromAgent }
                }
            case "env_file": (environmentFromFiles, envFilePaths) = envFiles(value)
            case "ports": service.ports = ports(value)
            case "expose": service.expose = expose(value)
            case "volumes": service.volumes = volumes(value)
            case "tmpfs": service.tmpfs = reader.stringList(value, "tmpfs", allowSingle: true)
            case "networks": service.networks = networks(value)
            case "network_mode":
                service.networkMode = networkMode(value)
                if service.networkMode == "host", let why = policy.refusal(privilegedSetting: "network_mode: host (the host's network stack)") {
                    sink.error(value.start, "service \"\(name)\": \(why)")
                }
            case "depends_on": service.dependsOn = dependsOn(value)
            case "healthcheck": service.healthcheck = healthcheck(value)
            case "restart":
                if let text = reader.string(value, "restart") {
                    do { service.restart = try RestartPolicy(parsing: text); restartSet = true } catch { sink.error(value.start, error.message) }
                }
            case "deploy": deploy = self.deploy(value)
            case "mem_limit": memLimit = reader.size(value, key)
            case "mem_reservation": memReservation = reader.size(value, key)
            case "memswap_limit": service.resources.memorySwap = memorySwap(value)
            case "cpus": cpus = cpuMillis(value, key)
            case "cpu_shares": service.resources.cpuShares = reader.int(value, key, range: 2...262_144)
            case "cpuset": service.resources.cpuset = cpuset(value)
            case "pids_limit": pidsLimit = reader.int(value, key, range: -1...Int(Int32.max))
            case "user": service.user = reader.scalarText(value, key)
            case "group_add": service.groupAdd = reader.stringList(value, key)
            case "working_dir": service.workingDir = absolutePath(value, key)
            case "hostname": service.hostname = hostname(value, key)
            case "domainname": service.domainname = hostname(value, key)
            case "stop_signal": service.stopSignal = signal(value)
            case "stop_grace_period": service.stopGracePeriod = reader.duration(value, key)
            case "read_only": service.readOnly = reader.bool(value, key) ?? false
            case "cap_add":
                service.capAdd = capabilities(value, key)
                for (index, raw) in reader.stringList(value, key).enumerated() where ServiceDecoder.isKnownCapability(raw) {
                    if let why = policy.refusal(capability: raw) { sink.error(value.sequence?[index].start ?? value.start, "service \"\(name)\": \(why)") }
                }
            case "cap_drop": service.capDrop = capabilities(value, key)
            case "privileged":
                let privileged = reader.bool(value, key) ?? false
                if privileged && policy.level != .privileged {
                    sink.error(value.start, "service \"\(name)\" asks for privileged: true, which this host's policy (\(policy.level.rawValue)) does not allow",
                               hint: "grant the capabilities it needs with cap_add, or raise policy.level to privileged in the agent config (--policy privileged where the config allows it)")
                }
                service.privileged = privileged
            case "security_opt": securityOptions(value, into: &service)
            case "labels": service.labels = labels(value)
            case "init": service.initProcess = reader.bool(value, key) ?? false
            case "ulimits": service.ulimits = ulimits(value)
            case "sysctls": service.sysctls = sysctls(value)
            case "shm_size": service.shmSize = reader.size(value, key)
            case "logging": service.logging = logging(value)
            case "container_name": service.containerName = containerName(value)
            case "profiles": service.profiles = reader.stringList(value, key)
            case "extra_hosts": service.extraHosts = extraHosts(value)
            case "dns": service.dns = ipList(value, key)
            case "dns_search": service.dnsSearch = reader.stringList(value, key, allowSingle: true)
            case "secrets": service.secrets = secretMounts(value)
            case "platform": service.platform = platform(value)
            case "pull_policy": service.pullPolicy = pullPolicy(value)
            case "stdin_open": service.stdinOpen = reader.bool(value, key) ?? false
            case "tty": service.tty = reader.bool(value, key) ?? false
            case "devices":
                service.devices = devices(value, key)
                for (index, mapping) in (service.devices ?? []).enumerated() {
                    if let why = policy.refusal(device: mapping.hostPath) { sink.error(value.sequence?[index].start ?? value.start, "service \"\(name)\": \(why)") }
                }
            case "build":
                if imageNode != nil {
                    sink.warning(keyNode.start, "service \"\(name)\": build: is ignored, bosun runs the image given by image:",
                                 hint: "bosun never builds; build and push the image in CI")
                }
            case "scale":
                if let n = reader.int(value, key), n != 1 {
                    sink.error(value.start, "service \"\(name)\" asks for \(n) replicas (scale: \(n)); bosun runs one container per service",
                               hint: "declare one service per instance, or remove scale")
                }
            default:
                if let hint = ComposeKeys.unsupportedService[key] {
                    sink.error(keyNode.start, "\(key) is not supported by bosun (service \"\(name)\")", hint: hint)
                } else if let why = ComposeKeys.ignoredService[key] {
                    sink.warning(keyNode.start, "\(key) is ignored (service \"\(name)\"): \(why)")
                }
            }
        }
        service.environment = environmentFromFiles.merging(environment) { _, explicit in explicit }
        applyResources(deploy, memLimit: memLimit, memReservation: memReservation, cpus: cpus, pidsLimit: pidsLimit, to: &service, at: node)
        service.updateConfig = deploy?.update
        service.rollbackConfig = deploy?.rollback
        if service.updateConfig?.order == .startFirst, let why = RolloutPolicy.unshareable(service) {
            // compose-go's own full example writes start-first with a container_name: warned, and updated stop-first.
            sink.warning(node["deploy"]?["update_config"]?["order"]?.start ?? node.start,
                         "service \"\(self.name)\": start-first cannot apply: \(why); it is updated stop-first",
                         hint: "two containers of one service run at once during a start-first update")
        }
        if let policy = deploy?.restartPolicy {
            if restartSet { sink.warning(node["deploy"]?.start, "service \"\(name)\": deploy.restart_policy is overridden by restart") } else { service.restart = policy }
        }
        if service.networkMode == nil && service.networks.isEmpty {
            service.networks = [NetworkAttachment(network: "default")]
        }
        service.expose.sort()
        service.ports.sort()
        // The restricted level runs every service with no_new_privs (a setting, not an error).
        if policy.level == .restricted { service.noNewPrivileges = true }
        let binds = service.volumes.compactMap { $0.kind == .bind ? $0.source : nil }.filter { $0.hasPrefix("./") }
        service.sourceDigests = sourceDigests(binds + envFilePaths.map { "./" + $0 } + [service.seccompProfile].compactMap { $0?.hasPrefix("./") == true ? $0 : nil },
                                              at: node)
        return image == nil ? nil : service
    }

    /// The host's policy: how much of the host this service may reach.
    var policy: HostPolicy { context.options.policy }

    func command(_ node: YAMLNode, _ key: String) -> [String]? {
        if node.isNull { return nil }
        if let text = node.scalar {
            do { return try ShellWords.split(text) } catch {
                sink.error(node.start, "\(key) has an unterminated quote or a trailing backslash")
                return nil
            }
        }
        return reader.stringList(node, key)
    }

    /// The content digests of repository paths the service reads (`./`-prefixed tree paths); nil for none.
    /// A path missing from the tree has none (a bind source the host creates).
    func sourceDigests(_ paths: [String], at node: YAMLNode) -> [String: String]? {
        var digests: [String: String] = [:]
        for path in paths where digests[path] == nil {
            do { digests[path] = try SourceDigest.of(context.tree, path: String(path.dropFirst(2))) } catch {
                sink.error(node.start, "service \"\(name)\": cannot read \(path) from the repository: \(error)")
            }
        }
        return digests.isEmpty ? nil : digests
    }

    /// The variables of the service's env_files, later files winning, and their tree paths.
    func envFiles(_ node: YAMLNode) -> ([String: String], [String]) {
        var result: [String: String] = [:]
        var paths: [String] = []
        let entries: [YAMLNode] = node.scalar != nil ? [node] : (node.sequence ?? [])
        if node.scalar == nil && node.sequence == nil && !node.isNull {
            sink.error(node.start, "env_file must be a path or a list of paths, found \(node.kindDescription)")
        }
        for entry in entries {
            var pathNode = entry
            var required = true
            var raw = false
            if entry.mapping != nil {
                for (key, value, _) in reader.mapping(entry, "an env_file entry", known: ["path", "required", "format"]) {
                    if key == "path" { pathNode = value }
                    if key == "required" { required = reader.bool(value, key) ?? true }
                    if key == "format", let format = reader.string(value, key) {
                        if format == "raw" { raw = true } else { sink.error(value.start, "env_file format must be raw or left out") }
                    }
                }
            }
            guard let path = reader.string(pathNode, "env_file path") else { continue }
            guard let treePath = context.resolve(path, at: pathNode.start, sink: sink) else { continue }
            guard let values = context.readEnvFile(treePath, required: required, raw: raw, at: pathNode.start, sink: sink) else { continue }
            result.merge(values) { _, later in later }
            paths.append(treePath)
        }
        return (result, paths)
    }
}

extension ImageReference {
    /// Stands in while reading a service whose image is missing or invalid; such a service is dropped.
    static let placeholder = try! ImageReference(parsing: "invalid.invalid/placeholder:invalid")
}
