public import BosunImageSpec
public import BosunModel
public import BosunOCI

/// Builds the `config.json` of a service's container: the image's defaults, the service's overrides and
/// Docker's default isolation. Pure: the mounts (volumes, binds, tmpfs) and secret files come resolved in the
/// `ServiceHostPaths` the caller passes.
public enum ServiceBundle {
    /// The spec for `service`, created from `imageConfig`, named `containerName`.
    public static func spec(
        for service: Service, imageConfig: ImageConfig, containerName: String, paths: ServiceHostPaths
    ) throws(ModelValueError) -> RuntimeSpec {
        let hostname = service.hostname ?? String(containerName.prefix(63))
        var request = RunRequest(imageConfig: imageConfig, hostname: hostname)
        request.command = service.command
        request.entrypoint = service.entrypoint
        request.environment = service.environment.keys.sorted().map { "\($0)=\(service.environment[$0]!)" }
        request.user = service.user
        request.workingDirectory = service.workingDir
        request.readOnlyRootfs = service.readOnly
        request.network = paths.network
        request.capabilitiesAdded = service.privileged ? ["ALL"] : service.capAdd
        request.capabilitiesDropped = service.privileged ? [] : service.capDrop
        request.terminal = false
        request.seccomp = paths.seccomp
        request.mounts = try mounts(of: service, paths: paths)
        request.initPath = service.initProcess ? paths.initBinary : nil
        var spec = try BundleBuilder.spec(for: request, files: paths.files)
        if service.initProcess && paths.initBinary == nil {
            throw ModelValueError("service \(service.name): init: true needs bosun's init binary (bosun-monitor), which this installation lacks")
        }
        spec.domainname = service.domainname
        spec.process?.noNewPrivileges = service.noNewPrivileges
        // An AppArmor profile asked for by name is applied by the runtime (which refuses it where the host has no
        // AppArmor); `unconfined` is none.
        if let profile = service.apparmorProfile, profile != "unconfined" {
            spec.process?.apparmorProfile = profile
        } else if service.apparmorProfile == nil && !service.privileged {
            spec.process?.apparmorProfile = paths.defaultAppArmorProfile  // Docker's rule: privileged runs unconfined
        }
        if !service.groupAdd.isEmpty {
            spec.process?.user.additionalGids = try service.groupAdd.map { group throws(ModelValueError) in
                guard let gid = UInt32(group) else {
                    throw ModelValueError("service \(service.name): group_add \"\(group)\": use a numeric gid (group names are not resolved yet)")
                }
                return gid
            }
        }
        if !service.ulimits.isEmpty {
            var limits = spec.process?.rlimits ?? []
            for ulimit in service.ulimits {
                let type = "RLIMIT_" + ulimit.name.uppercased()
                guard ServiceBundle.rlimitNames.contains(type) else {
                    throw ModelValueError("service \(service.name): ulimits.\(ulimit.name) is not a limit Linux knows")
                }
                guard ulimit.soft >= 0, ulimit.hard >= 0, ulimit.soft <= ulimit.hard else {
                    throw ModelValueError("service \(service.name): ulimits.\(ulimit.name): soft \(ulimit.soft) must be at most hard \(ulimit.hard)")
                }
                limits.removeAll { $0.type == type }
                limits.append(RuntimeSpec.Rlimit(type: type, hard: UInt64(ulimit.hard), soft: UInt64(ulimit.soft)))
            }
            spec.process?.rlimits = limits
        }
        var linux = spec.linux ?? RuntimeSpec.Linux()
        if !service.sysctls.isEmpty { linux.sysctl = service.sysctls }
        if service.privileged || service.systemPathsUnconfined == true {
            linux.maskedPaths = []
            linux.readonlyPaths = []
        }
        var resources = Self.resources(service.resources) ?? RuntimeSpec.LinuxResources()
        // Docker's `privileged`: every device; otherwise the default spec's rules (every device denied but the
        // standard ones).
        resources.devices = service.privileged ? [.init(allow: true, access: "rwm")] : linux.resources?.devices
        // Compose `devices:`: the node, and a rule allowing exactly the access asked for (the runtime adds no
        // other rule for a node a rule names).
        for device in paths.devices {
            linux.devices = (linux.devices ?? []) + [device.node]
            if !service.privileged {
                resources.devices?.append(.init(allow: true, type: device.node.type == "b" ? "b" : "c", major: device.node.major,
                                                 minor: device.node.minor, access: device.access))
            }
        }
        linux.resources = resources
        spec.linux = linux
        if let shm = service.shmSize {
            spec.mounts = spec.mounts?.map { mount in
                guard mount.destination == "/dev/shm", mount.type == "tmpfs" else { return mount }
                var sized = mount
                sized.options = (mount.options ?? []).filter { !$0.hasPrefix("size=") } + ["size=\(shm.bytes)"]
                return sized
            }
        }
        spec.annotations = paths.annotations.isEmpty ? nil : paths.annotations
        return spec
    }

    /// A service's limits as OCI `linux.resources` (nil when it sets none). `cpus` becomes a CFS quota over a
    /// 100 ms period; a memory reservation becomes the soft limit; `memswap_limit` the memory+swap limit.
    public static func resources(_ limits: ResourceLimits) -> RuntimeSpec.LinuxResources? {
        var oci = RuntimeSpec.LinuxResources()
        if limits.memoryLimit != nil || limits.memoryReservation != nil || limits.memorySwap != nil {
            var memory = RuntimeSpec.LinuxResources.Memory(
                limit: limits.memoryLimit?.bytes, reservation: limits.memoryReservation?.bytes, swap: limits.memorySwap?.bytes)
            // Compose's -1 (unlimited swap) arrives as a negative size.
            if let swap = memory.swap, swap < 0 { memory.swap = -1 }
            oci.memory = memory
        }
        if limits.cpuMillis != nil || limits.cpuShares != nil || limits.cpuset != nil {
            var cpu = RuntimeSpec.LinuxResources.CPU()
            if let millis = limits.cpuMillis, millis > 0 {
                cpu.period = 100_000
                cpu.quota = Int64(millis) * 100
            }
            cpu.shares = limits.cpuShares.map { UInt64(max(2, $0)) }
            cpu.cpus = limits.cpuset
            oci.cpu = cpu
        }
        if let pids = limits.pidsLimit { oci.pids = .init(limit: Int64(pids)) }
        return oci == RuntimeSpec.LinuxResources() ? nil : oci
    }

    /// The resolved volume, bind and tmpfs mounts, then the service's secrets bound read-only.
    static func mounts(of service: Service, paths: ServiceHostPaths) throws(ModelValueError) -> [RuntimeSpec.Mount] {
        var mounts = paths.mounts
        for secret in service.secrets {
            guard let host = paths.secrets[secret.source] else {
                throw ModelValueError("service \(service.name): secret \"\(secret.source)\" has no file on this host")
            }
            mounts.append(.init(destination: secret.target, type: "bind", source: host, options: ["rbind", "rprivate", "ro", "nosuid", "nodev", "noexec"]))
        }
        return mounts
    }

    static let rlimitNames: Set<String> = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]
}
