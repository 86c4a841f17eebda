public import BosunOCI

/// Linux capabilities by name, as config.json spells them.
public enum Capabilities {
    public static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// The capability number of `name` (`CAP_CHOWN` → 0).
    public static func number(_ name: String) -> Int? {
        names.firstIndex(of: name.uppercased().hasPrefix("CAP_") ? name.uppercased() : "CAP_" + name.uppercased())
    }

    /// A 64-bit mask of `names`; capabilities above the kernel's last one are ignored, unknown names rejected.
    public static func mask(_ list: [String]?, lastCap: Int) throws(RuntimeError) -> UInt64 {
        var mask: UInt64 = 0
        for name in list ?? [] {
            guard let number = number(name) else { throw RuntimeError("capability `\(name)`", detail: "unknown capability") }
            if number <= lastCap { mask |= 1 << UInt64(number) }
        }
        return mask
    }

    /// The ambient capabilities the kernel will raise: only those also in the permitted and inheritable sets
    /// (`PR_CAP_AMBIENT_RAISE` refuses the others). runc and crun warn about the others and go on — `runc spec`
    /// itself writes ambient capabilities without an inheritable set — so bosun does the same; `warn` names
    /// each one left out.
    public static func raisableAmbient(_ capabilities: RuntimeSpec.Capabilities?, warn: (String) -> Void) -> RuntimeSpec.Capabilities? {
        guard var capabilities, let ambient = capabilities.ambient, !ambient.isEmpty else { return capabilities }
        let permitted = Set((capabilities.permitted ?? []).compactMap(number))
        let inheritable = Set((capabilities.inheritable ?? []).compactMap(number))
        capabilities.ambient = ambient.filter { name in
            guard let cap = number(name) else { return true }  // unknown names fail later, with their own error
            if permitted.contains(cap) && inheritable.contains(cap) { return true }
            warn("ambient capability \(name) is not raised: it is not in the \(permitted.contains(cap) ? "inheritable" : "permitted") set")
            return false
        }
        return capabilities
    }
}
