import Glibc
import Synchronization

/// Hides the kernel's cgroup-attach latency behind work the caller does anyway.
///
/// Moving a process into a cgroup (`cgroup.procs`) takes the kernel's global `cgroup_threadgroup_rwsem` for
/// writing, and when nothing has taken it lately that waits for a whole RCU grace period — 7–24 ms on these
/// hosts, more than the rest of a container start. Once taken, the lock stays cheap for about one more grace
/// period. `begin()` takes it early, on a detached thread, by "moving" this process into the cgroup it is
/// already in (a no-op migration: nothing about the process changes, and a refusal is ignored), so that the
/// helper's real attach a few milliseconds later finds it warm. It is the effect of the `favordynmods` mount
/// option for one container start, without changing the host.
public enum CgroupAttachWarmup {
    /// Starts the warm-up on a detached thread and returns at once; does nothing when no own `cgroup.procs`
    /// can be found. The thread takes the lock again every 2 ms until `end()`, for `keepWarmMilliseconds` at
    /// most, so that a caller slowed down by a busy host still finds it warm. Only for callers about to attach a
    /// process: the process cannot exit while the first write waits for its grace period.
    public static func begin(keepWarmMilliseconds: Int = 250, root: String = "/sys/fs/cgroup") {
        // One warm-up at a time: a convergence starting ten containers needs one thread, not ten.
        let now = monotonicMilliseconds()
        let busyUntil = warmUntil.load(ordering: .relaxed)
        guard now >= busyUntil,
              warmUntil.compareExchange(expected: busyUntil, desired: now + Int64(keepWarmMilliseconds) - 50, ordering: .relaxed).exchanged
        else { return }
        let fileSystem = HostCgroupFileSystem()
        guard let text = try? fileSystem.read("/proc/self/cgroup"),
              let path = procsFiles(procSelfCgroup: text, root: root).first(where: fileSystem.isWritable)
        else { return }
        let job = Unmanaged.passRetained(WarmupJob(path: path, rounds: max(1, keepWarmMilliseconds / 2),
                                                   generation: generation.load(ordering: .relaxed))).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 64 << 10)
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { argument in
            guard let argument else { return nil }
            Unmanaged<WarmupJob>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, job)
        if created != 0 { Unmanaged<WarmupJob>.fromOpaque(job).release() }
    }

    /// Candidate `cgroup.procs` files of this process's own cgroups, best first: a v1 controller hierarchy,
    /// then the unified hierarchy (hybrid), then a pure v2 root. Pure, for tests.
    public static func procsFiles(procSelfCgroup: String, root: String = "/sys/fs/cgroup") -> [String] {
        var legacy: [String] = []
        var unified: [String] = []
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            let path = fields[2] == "/" ? "" : String(fields[2])
            if fields[1].isEmpty {
                unified = [root + "/unified" + path + "/cgroup.procs", root + path + "/cgroup.procs"]
            } else if !fields[1].hasPrefix("name=") {
                legacy.append(root + "/" + fields[1] + path + "/cgroup.procs")
            }
        }
        return legacy + unified
    }

    /// Ends the warm-up early, once the attach it was for is done (the next `begin` starts a new one).
    public static func end() {
        generation.add(1, ordering: .relaxed)
        warmUntil.store(0, ordering: .relaxed)
    }

    private static let warmUntil = Atomic<Int64>(0)
    /// Bumped by `end`; a warm-up thread stops when it changes.
    static let generation = Atomic<Int>(0)

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

}

/// One warm-up thread's work: up to `rounds` no-op writes of "0" to `path`, 2 ms apart, until `end()`.
private final class WarmupJob {
    let path: String
    let rounds: Int
    let generation: Int

    init(path: String, rounds: Int, generation: Int) {
        self.path = path
        self.rounds = rounds
        self.generation = generation
    }

    func run() {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
        for round in 0..<rounds {
            if round > 0 { nanosleep(&pause, nil) }
            guard CgroupAttachWarmup.generation.load(ordering: .relaxed) == generation else { return }
            guard "0".withCString({ write(fd, $0, 1) }) == 1 else { return }
        }
    }
}
