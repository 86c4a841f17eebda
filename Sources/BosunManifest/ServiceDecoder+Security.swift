import BosunModel
import BosunYAML

extension ServiceDecoder {
    static let capabilities: Set<String> = [
        "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
        "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
        "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
        "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT",
        "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
        "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
    ]

    /// Whether `raw` (`NET_ADMIN`, `cap_net_admin`, `ALL`) names a capability Linux knows.
    static func isKnownCapability(_ raw: String) -> Bool {
        let upper = raw.uppercased()
        let bare = upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
        return bare == "ALL" || capabilities.contains(bare)
    }

    /// Capability names normalised to `CAP_…`, or `ALL`.
    func capabilities(_ node: YAMLNode, _ key: String) -> [String] {
        var result: [String] = []
        for (index, raw) in reader.stringList(node, key).enumerated() {
            let upper = raw.uppercased()
            let bare = upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
            if bare == "ALL" { result.append("ALL"); continue }
            guard ServiceDecoder.capabilities.contains(bare) else {
                let hint = DidYouMean.suggestion(for: bare.lowercased(), among: ServiceDecoder.capabilities.map { $0.lowercased() }).map { "did you mean \($0.uppercased())?" }
                sink.error(node.sequence?[index].start ?? node.start, "unknown capability \"\(raw)\" in \(key)", hint: hint)
                continue
            }
            result.append("CAP_" + bare)
        }
        return Array(Set(result)).sorted()
    }

    func securityOptions(_ node: YAMLNode, into service: inout Service) {
        for (index, text) in reader.stringList(node, "security_opt").enumerated() {
            let mark = node.sequence?[index].start ?? node.start
            let option: SecurityOption
            do { option = try SecurityOption(parsing: text) } catch {
                sink.error(mark, error.message)
                continue
            }
            let over: String? = switch option {
            case .seccomp(nil): policy.refusal(privilegedSetting: "security_opt \(text) (no seccomp filter)")
            case .apparmor(nil): policy.refusal(privilegedSetting: "security_opt \(text) (no AppArmor profile)")
            case .systemPathsUnconfined: policy.refusal(privilegedSetting: "security_opt \(text) (unmasked /proc and /sys)")
            case .seccomp(let path?): policy.refusal(seccompProfile: path)
            case .noNewPrivileges(false) where policy.level == .restricted:
                "no-new-privileges:false is not allowed at policy level restricted (every service runs with no_new_privs); raise policy.level"
            default: nil
            }
            if let over { sink.error(mark, "service \"\(self.name)\": \(over)") }
            switch option {
            case .noNewPrivileges(let on): service.noNewPrivileges = on
            case .seccomp(nil): service.seccompProfile = "unconfined"
            case .seccomp(let value?):
                guard let path = context.resolve(value, at: mark, sink: sink) else { continue }
                if context.tree.kind(of: path) != .file {
                    sink.error(mark, "seccomp profile \"\(value)\" does not exist in the repository")
                }
                service.seccompProfile = "./" + path
            case .apparmor(let profile): service.apparmorProfile = profile ?? "unconfined"
            case .labelDisable: break  // bosun applies no SELinux labels: nothing to disable
            case .systemPathsUnconfined: service.systemPathsUnconfined = true
            }
        }
    }

    func labels(_ node: YAMLNode) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value, item) in reader.stringMap(node, "labels") {
            if key.hasPrefix("io.bosun.") || key.hasPrefix("com.docker.compose.") {
                sink.error(item.start, "label \"\(key)\" is reserved for bosun", hint: "choose another label name")
                continue
            }
            result[key] = value ?? ""
        }
        return result
    }

    func sysctls(_ node: YAMLNode) -> [String: String] {
        var result: [String: String] = [:]
        let namespaced = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]
        for (key, value, item) in reader.stringMap(node, "sysctls") {
            guard let value else { sink.error(item.start, "sysctl \(key) needs a value"); continue }
            if let why = policy.refusal(sysctl: key) { sink.error(item.start, "service \"\(self.name)\": \(why)") }
            guard key.hasPrefix("net.") || key.hasPrefix("fs.mqueue.") || namespaced.contains(key) else {
                sink.error(item.start, "sysctl \(key) is not namespaced and cannot be set per container", hint: "only net.*, fs.mqueue.* and IPC kernel.* sysctls are allowed")
                continue
            }
            result[key] = value
        }
        return result
    }

    func ulimits(_ node: YAMLNode) -> [Ulimit] {
        let names = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as"]
        var result: [Ulimit] = []
        for (key, value, keyNode) in reader.mapping(node, "ulimits", known: names) {
            var soft: Int?, hard: Int?
            if value.mapping != nil {
                for (field, fieldValue, _) in reader.mapping(value, "ulimits.\(key)", known: ["soft", "hard"]) {
                    if field == "soft" { soft = reader.int(fieldValue, "soft", range: -1...Int.max) } else { hard = reader.int(fieldValue, "hard", range: -1...Int.max) }
                }
            } else {
                soft = reader.int(value, "ulimits.\(key)", range: -1...Int.max)
                hard = soft
            }
            guard let soft, let hard else {
                if value.mapping != nil { sink.error(keyNode.start, "ulimits.\(key) needs soft and hard") }
                continue
            }
            if soft > hard && hard != -1 { sink.error(keyNode.start, "ulimits.\(key): soft limit \(soft) is above the hard limit \(hard)") }
            result.append(Ulimit(name: key, soft: Int64(soft), hard: Int64(hard)))
        }
        return result.sorted { $0.name < $1.name }
    }

    func logging(_ node: YAMLNode) -> LoggingOptions {
        var options = LoggingOptions()
        for (key, value, _) in reader.mapping(node, "logging", known: ["driver", "options"]) {
            if key == "driver", let driver = reader.string(value, key) {
                guard driver == "json-file" || driver == "local" else {
                    sink.error(value.start, "logging driver \"\(driver)\" is not supported", hint: "use json-file or local; bosun keeps the logs itself")
                    continue
                }
                options.driver = driver
            }
            if key == "options" {
                for (option, optionValue, item) in reader.stringMap(value, "logging.options") {
                    switch option {
                    case "max-size":
                        if let text = optionValue { options.maxSize = try? ByteSize(parsing: text) }
                        if options.maxSize == nil { sink.error(item.start, "logging max-size \"\(optionValue ?? "")\" is not a size such as 10m") }
                    case "max-file":
                        if let n = optionValue.flatMap({ Int($0) }), n >= 1 { options.maxFile = n } else {
                            sink.error(item.start, "logging max-file must be a whole number of files, at least 1")
                        }
                    default:
                        sink.warning(item.start, "logging option \"\(option)\" is ignored", hint: "bosun reads max-size and max-file")
                    }
                }
            }
        }
        return options
    }

    func signal(_ node: YAMLNode) -> String? {
        guard let text = reader.string(node, "stop_signal") else { return nil }
        let names = ["HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT",
                     "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"]
        let upper = text.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        if names.contains(bare) { return "SIG" + bare }
        if let n = Int(text), (1...64).contains(n) { return text }
        if bare.hasPrefix("RTMIN") || bare.hasPrefix("RTMAX") { return "SIG" + bare }
        sink.error(node.start, "unknown stop_signal \"\(text)\"", hint: "use a name such as SIGTERM or SIGQUIT")
        return nil
    }

    func absolutePath(_ node: YAMLNode, _ key: String) -> String? {
        guard let path = reader.string(node, key) else { return nil }
        if !path.hasPrefix("/") { sink.error(node.start, "\(key) \"\(path)\" must be an absolute path"); return nil }
        return path
    }

    func containerName(_ node: YAMLNode) -> String? {
        guard let text = reader.string(node, "container_name") else { return nil }
        let valid = text.first.map { $0.isLetter || $0.isNumber } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
        if !valid { sink.error(node.start, "container_name \"\(text)\" must be letters, digits, '_', '.' and '-'") }
        return valid ? text : nil
    }

    func platform(_ node: YAMLNode) -> String? {
        guard let text = reader.string(node, "platform") else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            sink.error(node.start, "platform \"\(text)\" must be os/arch[/variant], e.g. linux/amd64")
            return nil
        }
        return text
    }

    func pullPolicy(_ node: YAMLNode) -> PullPolicy {
        guard let text = reader.string(node, "pull_policy") else { return .missing }
        switch text {
        case "always": return .always
        case "missing", "if_not_present": return .missing
        case "never": return .never
        case "daily": return .daily
        case "weekly": return .weekly
        case "build":
            sink.error(node.start, "pull_policy build is not supported: bosun never builds images", hint: "push the image to a registry and use always or missing")
        default:
            sink.error(node.start, "unknown pull_policy \"\(text)\"", hint: "use always, missing, never, daily or weekly")
        }
        return .missing
    }
}
