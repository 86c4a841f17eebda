/// The spec bosun generates for a container when nothing says otherwise: Docker's defaults for mounts,
/// capabilities, masked and read-only paths, devices and rlimits.
public enum DefaultSpec {
    /// Docker's default capability set.
    public static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// Paths made unreadable (a bind of /dev/null, or an empty read-only tmpfs for directories).
    public static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// Paths made read-only.
    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// The standard mounts, in order.
    public static let mounts: [RuntimeSpec.Mount] = [
        .init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        .init(destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
    ]

    /// The default device nodes every container gets in /dev.
    public static let devices: [RuntimeSpec.Device] = [
        .init(type: "c", path: "/dev/null", major: 1, minor: 3),
        .init(type: "c", path: "/dev/zero", major: 1, minor: 5),
        .init(type: "c", path: "/dev/full", major: 1, minor: 7),
        .init(type: "c", path: "/dev/random", major: 1, minor: 8),
        .init(type: "c", path: "/dev/urandom", major: 1, minor: 9),
        .init(type: "c", path: "/dev/tty", major: 5, minor: 0),
    ]

    /// Device access, as `runc spec` and Docker start it: every device denied; the runtime then allows the
    /// standard ones (null, zero, full, random, urandom, tty, ptys, ptmx, tun, mknod of any) and the spec's
    /// `linux.devices`. Without a rule a container's cgroup would allow every device its parent allows, and
    /// with CAP_MKNOD its root could make and open the host's disks.
    public static let deviceRules = [RuntimeSpec.LinuxResources.DeviceRule(allow: false, access: "rwm")]

    /// A complete spec running `args` in the bundle's `rootfs`, with fresh namespaces of every kind but user.
    public static func make(args: [String], hostname: String = "bosun", terminal: Bool = false) -> RuntimeSpec {
        var spec = RuntimeSpec()
        var process = RuntimeSpec.Process()
        process.terminal = terminal
        process.args = args
        process.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]
        var caps = RuntimeSpec.Capabilities()
        caps.bounding = capabilities
        caps.effective = capabilities
        caps.permitted = capabilities
        process.capabilities = caps
        process.rlimits = [RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)]
        process.noNewPrivileges = true
        spec.process = process
        spec.root = RuntimeSpec.Root(path: "rootfs", readonly: false)
        spec.hostname = hostname
        spec.mounts = mounts
        var linux = RuntimeSpec.Linux()
        linux.namespaces = ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { RuntimeSpec.Namespace(type: $0) }
        linux.maskedPaths = maskedPaths
        linux.readonlyPaths = readonlyPaths
        var resources = RuntimeSpec.LinuxResources()
        resources.devices = deviceRules
        linux.resources = resources
        spec.linux = linux
        return spec
    }
}
