import BosunCgroups

/// Starts the kernel's cgroup-attach warm-up (`CgroupAttachWarmup`) at process start for the commands that are
/// about to put a process into a cgroup, so the warm-up overlaps the CLI's own start-up and argument parsing.
public enum AttachWarmup {
    /// Begins the warm-up when argv names `run`, `exec`, `runtime run|create|exec`; does nothing otherwise
    /// (a command that ends quickly would wait for it).
    public static func beginIfAttaching(_ arguments: [String]) {
        if willAttach(arguments) { CgroupAttachWarmup.begin() }
    }

    /// Whether argv is a command that attaches a process to a cgroup. Pure.
    static func willAttach(_ arguments: [String]) -> Bool {
        guard arguments.count > 2 else { return false }
        switch arguments[1] {
        case "run", "exec": return !arguments.contains("--help") && !arguments.contains("-h")
        case "runtime":
            // runc's global options come before the subcommand: `runtime --root R run …`.
            guard let command = arguments.dropFirst(2).first(where: { !$0.hasPrefix("-") && !isOptionValue($0, in: arguments) })
            else { return false }
            return ["run", "create", "exec"].contains(command) && !arguments.contains("--help")
        default: return false
        }
    }

    private static func isOptionValue(_ word: String, in arguments: [String]) -> Bool {
        guard let index = arguments.firstIndex(of: word), index > 0 else { return false }
        return arguments[index - 1] == "--root"
    }
}
