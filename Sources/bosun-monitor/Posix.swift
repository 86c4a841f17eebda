import BosunLogFormat
import CBosunSys
import Glibc
import BosunLinux

/// The few system calls the monitor and the init make, with EINTR retried.
enum Posix {
    /// Writes `bosun-monitor: MESSAGE` to stderr (the monitor's `monitor.err`, the init's container stderr).
    static func report(_ message: String) {
        _ = writeAll(2, Array("bosun-monitor: \(message)\n".utf8))
    }

    static func now() -> LogTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return LogTimestamp(seconds: Int64(time.tv_sec), nanoseconds: Int32(time.tv_nsec))
    }

    static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    static func errorText(_ code: Int32) -> String { Errno.text(code) }

    /// The working directory, nil when it cannot be named (removed, or longer than PATH_MAX).
    static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes all of `bytes`; false on an error other than EINTR.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// A small file's bytes (a cgroup counter, /proc/<pid>/stat).
    static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return count == 0 ? result : nil }
            result += buffer[0..<count]
        }
    }

    /// Replaces this process with `path` (returns only when it could not).
    static func exec(_ path: String, _ arguments: [String]) {
        var argv = arguments.map { strdup($0) } + [nil]
        _ = execv(path, &argv)
    }

    /// Writes `bytes` to `path` so readers see all or nothing (`AtomicFile`, durable).
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) -> Bool {
        (try? AtomicFile.write(bytes, to: path, mode: 0o644)) != nil
    }

    /// Field 22 of /proc/<pid>/stat: with the pid, it names a process even after the pid is reused.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let bytes = readSmallFile("/proc/\(pid)/stat"), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }

    /// The `oom_kill N` counter of a cgroup's `memory.oom_control` (v1) or `memory.events` (v2).
    static func oomKills(_ path: String?) -> Int64 {
        guard let path, let bytes = readSmallFile(path) else { return 0 }
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let words = line.split(separator: UInt8(ascii: " "))
            if words.count == 2, Array(words[0]) == Array("oom_kill".utf8) {
                return Int64(String(decoding: words[1], as: UTF8.self)) ?? 0
            }
        }
        return 0
    }

    /// Our children now (every thread's `children` list).
    static func children() -> [pid_t] {
        let me = getpid()
        guard let bytes = readSmallFile("/proc/\(me)/task/\(me)/children") else { return [] }
        return bytes.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
    }

    /// posix_spawn with `fds` moved to the given numbers, every signal at its default and none blocked; with
    /// `intoCgroup`, cloned straight into that cgroup v2 directory (posix_spawn where clone3 cannot do it).
    static func spawn(_ path: String, arguments: [String], fds: [(from: Int32, to: Int32)],
                      intoCgroup cgroupFD: Int32? = nil) -> Result<pid_t, SpawnError> {
        // Move the sources above the targets first, so a dup2 cannot overwrite a source not yet placed; just
        // above (a descriptor table grown past 64 slots can cost an RCU grace period).
        let above = (fds.map(\.to).max() ?? 2) + 1
        var high: [Int32] = []
        defer { high.forEach { close($0) } }
        for (from, _) in fds {
            let copy = fcntl(from, F_DUPFD_CLOEXEC, above)
            guard copy >= 0 else { return .failure(SpawnError(code: errno)) }
            high.append(copy)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [nil]
        if let cgroupFD {
            var pairs = zip(high, fds.map(\.to)).flatMap { [$0, $1] }
            let pid = bosun_spawn_into_cgroup(path, argv, &environment, &pairs, Int32(fds.count), cgroupFD)
            if pid > 0 { return .success(pid) }
            // No clone3 or no CLONE_INTO_CGROUP here: posix_spawn, and the helper joins the cgroup itself.
            guard bosun_lacks_clone_into_cgroup(errno) != 0 else { return .failure(SpawnError(code: errno)) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (index, pair) in fds.enumerated() { posix_spawn_file_actions_adddup2(&actions, high[index], pair.to) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, &environment)
        return result == 0 ? .success(pid) : .failure(SpawnError(code: result))
    }

    /// Drops this process's mappings of the executable's code pages (MADV_DONTNEED on the `r-xp` mappings of
    /// /proc/self/exe): start-up code (the Swift runtime's initialisation, argument parsing) stops counting in
    /// the RSS, and the loop faults back in only what it runs. The pages stay in the page cache, shared by every
    /// monitor. Code is never written, so nothing is lost.
    static func releaseStartupCode() {
        guard let maps = readSmallFile("/proc/self/maps") else { return }
        var executable = [CChar](repeating: 0, count: 4097)
        let length = readlink("/proc/self/exe", &executable, 4096)
        guard length > 0 else { return }
        let path = Array(executable[0..<length].map { UInt8(bitPattern: $0) })
        var ranges: [(UnsafeMutableRawPointer, Int)] = []
        for line in maps.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard fields.count >= 6, Array(fields[1]) == Array("r-xp".utf8), Array(fields[5]) == path else { continue }
            let range = fields[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2, let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                  let end = UInt(String(decoding: range[1], as: UTF8.self), radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            ranges.append((address, Int(end - start)))
        }
        // Last, so that parsing the maps does not fault the pages straight back in.
        for (address, length) in ranges { _ = madvise(address, length, MADV_DONTNEED) }
    }

    /// errno from a failed spawn.
    struct SpawnError: Error {
        var code: Int32
    }

    /// Blocks `signals` and returns a signalfd that reads them.
    static func signalDescriptor(_ signals: [Int32]) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        sigprocmask(SIG_BLOCK, &set, nil)
        return bosun_signalfd(&set)
    }
}
