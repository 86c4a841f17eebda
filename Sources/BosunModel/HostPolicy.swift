/// How much of the host a repository may reach, decided by the host (the agent's config, or `--policy` for
/// `apply`, `plan` and `validate`), never by the repository — like Kubernetes' Pod Security Standards.
///
/// - `restricted`: baseline, and no host paths at all (repository files, named volumes and tmpfs only), no
///   added capability but `NET_BIND_SERVICE`, no devices, only the safe sysctls, no seccomp profile but the
///   default; `no_new_privs` is on for every service.
/// - `baseline` (the default): what ordinary Compose files use. Host paths under the allowed data directories
///   (`defaultHostPaths`, `/var/lib/<project>` …); Docker's default capabilities; namespaced sysctls; seccomp
///   profile files. Refused: other host paths (`/`, `/etc`, `/root`, sockets and the state of Docker, containerd
///   and bosun …), capabilities beyond Docker's defaults (`SYS_ADMIN` …), `privileged`, `network_mode: host`,
///   `seccomp`/`apparmor`/`systempaths` `unconfined`, devices.
/// - `privileged`: anything the manifest asks for.
///
/// `allow` widens baseline and restricted by name: host path prefixes, capabilities, device paths.
public struct HostPolicy: Sendable, Hashable, Codable {
    /// The three levels, from the strictest.
    public enum Level: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case restricted, baseline, privileged

        public static func < (a: Level, b: Level) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// What the host allows beyond its level.
    public struct Allowances: Sendable, Hashable, Codable {
        /// Host path prefixes a bind mount may use (`/srv/media`, `/var/run/docker.sock`).
        public var hostPaths: [String] = []
        /// Capabilities `cap_add` may name (`NET_ADMIN`; with or without `CAP_`).
        public var capabilities: [String] = []
        /// Host devices `devices:` may map (`/dev/dri/renderD128`).
        public var devices: [String] = []
        public init(hostPaths: [String] = [], capabilities: [String] = [], devices: [String] = []) {
            self.hostPaths = hostPaths
            self.capabilities = capabilities
            self.devices = devices
        }
        enum CodingKeys: String, CodingKey { case hostPaths = "host_paths", capabilities, devices }
    }

    public var level: Level
    public var allow: Allowances

    public init(level: Level = .baseline, allow: Allowances = Allowances()) {
        self.level = level
        self.allow = allow
    }

    /// Host path prefixes baseline allows without asking: the usual places for data a host gives its
    /// services. `<project>` stands for the project's name.
    public static let defaultHostPaths = ["/srv", "/opt", "/mnt", "/media", "/data", "/var/lib/<project>", "/var/log/<project>",
                                          "/var/cache/<project>", "/etc/<project>"]

    /// What the defaults never cover, whatever the project is called: the state and config of bosun, Docker
    /// and containerd.
    static let neverByDefault = ["/var/lib/bosun", "/etc/bosun", "/var/lib/docker", "/etc/docker", "/var/lib/containerd", "/etc/containerd"]

    /// Docker's default capabilities: adding them changes nothing, so baseline accepts them.
    public static let defaultCapabilities: Set<String> = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
                                                          "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"]

    /// Sysctls restricted accepts (Kubernetes' safe set).
    public static let safeSysctls: Set<String> = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                                                  "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                                                  "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                                                  "net.ipv4.tcp_keepalive_probes"]

    /// How to widen the policy, for error messages.
    public static func howToAllow(_ what: String) -> String {
        "allow it in the agent config (policy: {allow: {\(what)}}) or raise policy.level; apply/plan/validate take --policy LEVEL"
    }

    /// Why the bind of host path `path` (absolute, normalised) in project `project` is over the policy, or nil.
    public func refusal(hostPath path: String, project: String) -> String? {
        if level == .privileged { return nil }
        if allow.hostPaths.contains(where: { Self.path(path, isUnder: $0) }) { return nil }
        if level == .restricted {
            return "host path \(path) is not allowed at policy level restricted (repository files, named volumes and tmpfs only); "
                + Self.howToAllow("host_paths: [\(path)]")
        }
        let allowed = Self.defaultHostPaths.map { $0.replacingOccurrences(of: "<project>", with: project) }
        if allowed.contains(where: { Self.path(path, isUnder: $0) }) && !Self.neverByDefault.contains(where: { Self.path(path, isUnder: $0) }) {
            return nil
        }
        return "host path \(path) is outside the data directories policy level baseline allows (\(allowed.joined(separator: ", "))); "
            + Self.howToAllow("host_paths: [\(path)]")
    }

    /// Why adding capability `name` (`CAP_…` or bare) is over the policy, or nil.
    public func refusal(capability name: String) -> String? {
        if level == .privileged { return nil }
        let bare = Self.bare(name)
        if allow.capabilities.map(Self.bare).contains(bare) { return nil }
        if bare != "ALL" && (level == .baseline ? Self.defaultCapabilities.contains(bare) : bare == "NET_BIND_SERVICE") { return nil }
        return "cap_add \(bare) is not allowed at policy level \(level.rawValue) (\(level == .baseline ? "Docker's default capabilities only" : "NET_BIND_SERVICE only")); "
            + Self.howToAllow("capabilities: [\(bare)]")
    }

    /// Why mapping host device `path` is over the policy, or nil.
    public func refusal(device path: String) -> String? {
        if level == .privileged || allow.devices.contains(path) { return nil }
        return "device \(path) is not allowed at policy level \(level.rawValue); " + Self.howToAllow("devices: [\(path)]")
    }

    /// Why a setting only `privileged` allows (privileged, network_mode: host, an unconfined profile) is over
    /// the policy, or nil.
    public func refusal(privilegedSetting what: String) -> String? {
        level == .privileged ? nil : "\(what) needs policy level privileged (this host's is \(level.rawValue)); raise policy.level in the agent config, or pass --policy privileged (--allow-privileged) where the config allows it"
    }

    /// Why sysctl `name` is over the policy, or nil (baseline and privileged accept every namespaced sysctl).
    public func refusal(sysctl name: String) -> String? {
        level != .restricted || Self.safeSysctls.contains(name) ? nil : "sysctl \(name) is not allowed at policy level restricted (only Kubernetes' safe sysctls); raise policy.level"
    }

    /// Why a seccomp profile file is over the policy, or nil.
    public func refusal(seccompProfile path: String) -> String? {
        level != .restricted ? nil : "seccomp profile \(path) is not allowed at policy level restricted (the default profile only); raise policy.level"
    }

    static func bare(_ name: String) -> String {
        let upper = name.uppercased()
        return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
    }

    /// Whether `path` is `prefix` or below it (component-wise: `/srv2` is not under `/srv`).
    static func path(_ path: String, isUnder prefix: String) -> Bool {
        let trimmed = prefix.count > 1 && prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        return trimmed == "/" || path == trimmed || path.hasPrefix(trimmed + "/")
    }
}
