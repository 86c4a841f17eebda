import BosunLinux
import Glibc

/// How the runtime helper moves itself into the container's cgroup before it enters any namespace.
///
/// On cgroup v1 the helper writes `0` into each hierarchy's `tasks` file: that moves the calling thread only, and
/// the kernel then skips its global `cgroup_threadgroup_rwsem`, whose write side waits for an RCU grace period
/// (5–24 ms here) on every `cgroup.procs` write after a quiet spell. The helper is single-threaded, so moving its
/// one thread moves the whole process; should it ever have more threads, the `cgroup.procs` beside the `tasks`
/// file is written instead. cgroup v2 has no such per-thread move for domain cgroups: there the helper is
/// cloned straight into the cgroup (`CLONE_INTO_CGROUP`) and finds itself listed in its `cgroup.procs`; only
/// where clone3 cannot do that (an old kernel, a seccomp sandbox) does it move itself.
enum CgroupJoin {
    /// Writes `0` into every file of `files` (`tasks` or `cgroup.procs`) that does not list this process yet.
    static func join(_ files: [String]) throws(RuntimeError) {
        guard !files.isEmpty else { return }
        let singleThreaded = threadCount() == 1
        let ownPid = String(getpid())
        for file in files {
            if file.hasSuffix("/cgroup.procs"), let members = Sys.readFile(file), lists(members, pid: ownPid) { continue }
            let target = singleThreaded ? file : wholeProcessFile(for: file)
            try linux { () throws(SystemCallError) in try HostLinux().writeKernelFile(target, "0", action: "join cgroup `\(target)`") }
        }
    }

    /// Whether a `cgroup.procs` text lists `pid`. Pure.
    static func lists(_ members: String, pid: String) -> Bool {
        members.split(separator: "\n").contains { $0 == pid }
    }

    /// The `cgroup.procs` beside a `tasks` file; any other file as it is. Pure.
    static func wholeProcessFile(for file: String) -> String {
        guard file.hasSuffix("/tasks") else { return file }
        return String(file.dropLast("tasks".count)) + "cgroup.procs"
    }

    /// The `Threads:` count of /proc/self/status; 0 when it cannot be read (then whole-process moves are used).
    static func threadCount() -> Int {
        guard let status = Sys.readFile("/proc/self/status") else { return 0 }
        return threads(inStatus: status)
    }

    /// The `Threads:` field of a /proc/PID/status text; 0 when missing. Pure.
    static func threads(inStatus status: String) -> Int {
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(String(line.dropFirst("Threads:".count).filter { $0 != " " && $0 != "\t" })) ?? 0
        }
        return 0
    }
}
