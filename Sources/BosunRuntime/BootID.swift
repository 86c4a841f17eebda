/// This boot's id (`/proc/sys/kernel/random/boot_id`): recorded beside a pid and its start time, it tells a
/// process of an earlier boot from one of this boot that happens to have the same pid and start time (start
/// times count from boot, so after a reboot the pair can repeat).
public enum BootID {
    /// The current boot's id, or nil where the kernel does not offer it. Read once per process.
    public static let current: String? = {
        guard let text = Sys.readFile("/proc/sys/kernel/random/boot_id") else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }()

    /// Whether something recorded with `recorded` belongs to this boot (unknown either way counts as yes).
    public static func isCurrent(_ recorded: String?) -> Bool {
        guard let recorded, let current else { return true }
        return recorded == current
    }
}
