public import BosunModel
public import BosunOCI

/// Builds a container's `config.json` from an image's configuration and a run request, with Docker's
/// default isolation: its mounts, capabilities, masked and read-only paths, and (when given) seccomp profile.
public enum BundleBuilder {
    /// The spec; `files` are the per-container /etc/hosts, /etc/hostname and /etc/resolv.conf to bind.
    public static func spec(for request: RunRequest, files: ContainerFiles) throws(ModelValueError) -> RuntimeSpec {
        let config = request.imageConfig.config
        let entrypoint = request.entrypoint ?? config?.entrypoint ?? []
        // Docker: a new entrypoint drops the image's CMD; a new command replaces it.
        let command = request.command ?? (request.entrypoint == nil ? config?.cmd ?? [] : [])
        var args = entrypoint + command
        guard !args.isEmpty else {
            throw ModelValueError("the image has no entrypoint or command; give a command to run")
        }
        if request.initPath != nil { args = [initDestination, "--"] + args }
        var spec = DefaultSpec.make(args: args, hostname: request.hostname, terminal: request.terminal)
        var process = spec.process!
        process.env = environment(image: config?.env ?? [], overrides: request.environment, hostname: request.hostname)
        process.cwd = request.workingDirectory ?? (config?.workingDir).flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        process.user = try user(request.user ?? config?.user)
        let sorted = capabilities(added: request.capabilitiesAdded, dropped: request.capabilitiesDropped)
        process.capabilities?.bounding = sorted
        process.capabilities?.effective = sorted
        process.capabilities?.permitted = sorted
        process.noNewPrivileges = request.noNewPrivileges
        process.apparmorProfile = request.apparmorProfile
        spec.process = process
        spec.root?.readonly = request.readOnlyRootfs
        spec.mounts = (spec.mounts ?? []) + [
            .init(destination: "/etc/hosts", type: "bind", source: files.hosts, options: ["rbind", "rprivate"]),
            .init(destination: "/etc/hostname", type: "bind", source: files.hostname, options: ["rbind", "rprivate"]),
            .init(destination: "/etc/resolv.conf", type: "bind", source: files.resolvConf, options: ["rbind", "rprivate"]),
        ] + request.mounts
        if let initPath = request.initPath {
            spec.mounts?.append(.init(destination: initDestination, type: "bind", source: initPath, options: ["bind", "rprivate", "ro", "nosuid", "nodev"]))
        }
        var linux = spec.linux ?? RuntimeSpec.Linux()
        switch request.network {
        case .none: break
        case .host: linux.namespaces = linux.namespaces?.filter { $0.type != "network" }
        case .namespace(let path):
            linux.namespaces = linux.namespaces?.map { $0.type == "network" ? RuntimeSpec.Namespace(type: "network", path: path) : $0 }
        }
        linux.seccomp = request.seccomp
        if request.systemPathsUnconfined {
            linux.maskedPaths = []
            linux.readonlyPaths = []
        }
        if let resources = request.resources {
            var oci = RuntimeSpec.LinuxResources()
            oci.devices = linux.resources?.devices
            if let limit = resources.memoryLimit { oci.memory = .init(limit: limit) }
            if resources.cpuQuota != nil || resources.cpuPeriod != nil { oci.cpu = .init(quota: resources.cpuQuota, period: resources.cpuPeriod) }
            if let limit = resources.pidsLimit { oci.pids = .init(limit: limit) }
            linux.resources = oci
        }
        spec.linux = linux
        return spec
    }

    /// Where `init: true` binds the init in the container.
    public static let initDestination = "/.bosun/init"

    /// The image's environment with overrides applied by key, PATH defaulted, HOSTNAME set (as Docker does).
    static func environment(image: [String], overrides: [String], hostname: String) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for entry in image + overrides {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            if values[key] == nil { order.append(key) }
            values[key] = entry
        }
        if values["PATH"] == nil {
            order.insert("PATH", at: 0)
            values["PATH"] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        if values["HOSTNAME"] == nil {
            order.append("HOSTNAME")
            values["HOSTNAME"] = "HOSTNAME=\(hostname)"
        }
        return order.compactMap { values[$0] }
    }

    /// `uid`, `uid:gid`, `name`, `name:group` → the OCI user (names resolved by the runtime in the container).
    static func user(_ text: String?) throws(ModelValueError) -> RuntimeSpec.User {
        guard let text, !text.isEmpty else { return RuntimeSpec.User() }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        var user = RuntimeSpec.User()
        if let uid = UInt32(parts[0]) { user.uid = uid } else { user.username = parts[0] }
        if parts.count == 2 {
            guard let gid = UInt32(parts[1]) else {
                throw ModelValueError("user \"\(text)\": a group name is not supported yet; use a numeric gid")
            }
            user.gid = gid
        } else if user.username == nil {
            user.gid = user.uid
        }
        return user
    }

    /// The capability set (`CAP_…`, sorted) of Docker's defaults with `dropped` and `added` applied in Docker's
    /// order: drops first (ALL empties the set), then adds (ALL fills it).
    public static func capabilities(added: [String], dropped: [String]) -> [String] {
        var caps = Set(DefaultSpec.capabilities)
        for cap in dropped {
            if normalise(cap) == "CAP_ALL" { caps.removeAll() } else { caps.remove(normalise(cap)) }
        }
        for cap in added {
            if normalise(cap) == "CAP_ALL" { caps = Set(allCapabilities) } else { caps.insert(normalise(cap)) }
        }
        return caps.sorted()
    }

    static func normalise(_ cap: String) -> String {
        let upper = cap.uppercased()
        return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }

    /// Every capability Linux knows, for `cap_add: [ALL]`.
    public static let allCapabilities = [
        "CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE", "CAP_BLOCK_SUSPEND", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_KILL", "CAP_LEASE", "CAP_LINUX_IMMUTABLE", "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_MKNOD", "CAP_NET_ADMIN",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_PERFMON", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
        "CAP_SETUID", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_MODULE", "CAP_SYS_NICE", "CAP_SYS_PACCT",
        "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    ]
}

/// The per-container files bound over the image's /etc/hosts, /etc/hostname and /etc/resolv.conf.
public struct ContainerFiles: Sendable, Hashable {
    public var hosts: String
    public var hostname: String
    public var resolvConf: String
    public init(hosts: String, hostname: String, resolvConf: String) {
        self.hosts = hosts
        self.hostname = hostname
        self.resolvConf = resolvConf
    }
}
