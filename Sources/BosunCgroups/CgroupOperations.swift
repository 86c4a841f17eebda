import Glibc
import BosunLinux

/// Steps both managers share: applying writes, waiting, killing by signal, removing with retries.
enum CgroupOperations {
    /// Writes each setting into the directory of its controller (nil: controller not mounted), honouring
    /// `Need`: a required limit without its file is an error naming file and value; nothing is half-guessed.
    static func apply(
        _ writes: [CgroupWrite], fileSystem: any CgroupFileSystem, directory: (String) -> String?
    ) throws(CgroupError) -> CgroupApplyReport {
        var report = CgroupApplyReport()
        for write in writes {
            let file = directory(write.controller).map { $0 + "/" + write.file }
            guard let file, fileSystem.exists(file) else {
                switch write.need {
                case .required:
                    throw CgroupError(
                        .controllerUnavailable, action: "write", file: file ?? write.file, value: write.value,
                        hint: "the \(write.controller) controller (or this file) is not available on this host")
                case .bestEffort, .ifAccepted:
                    report.skipped.append("\(write.file)=\(write.value): no such file on this host")
                case .reset:
                    break
                }
                continue
            }
            do {
                try fileSystem.write(file, write.value)
            } catch where write.need == .ifAccepted && error.code != .busy {
                report.skipped.append("\(write.file)=\(write.value): \(error.errno.map { Errno.text($0) } ?? "refused")")
                continue
            }
            report.written.append(write)
        }
        return report
    }

    /// Checks a requested cpuset against the CPUs the parent allows (`cpuset.cpus.effective` or `cpuset.cpus`).
    static func checkCPUs(_ requested: String?, parentFile: String, fileSystem: any CgroupFileSystem) throws(CgroupError) {
        guard let requested, let allowed = try? fileSystem.read(parentFile) else { return }
        let available = cpus(allowed)
        let missing = cpus(requested).subtracting(available)
        if !missing.isEmpty {
            throw CgroupError(.invalidLimit, action: "validate", file: "cpuset.cpus", value: requested,
                              hint: "CPUs \(missing.sorted().map(String.init).joined(separator: ",")) are not in the "
                                  + "parent's `\(allowed.trimmingNewline)`")
        }
    }

    /// Expands a kernel CPU list (`0-2,4`).
    static func cpus(_ list: String) -> Set<Int> {
        var result: Set<Int> = []
        for item in list.trimmingNewline.split(separator: ",") {
            let bounds = item.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { result.insert(bounds[0]) }
            if bounds.count == 2, bounds[0] <= bounds[1] { result.formUnion(bounds[0]...bounds[1]) }
        }
        return result
    }

    /// Runs `body` (making a cgroup and its parents) again when a parent vanished under it (ENOENT): another
    /// container's `delete` may prune a shared empty parent between our `mkdir`s.
    static func retryingVanishedParents(_ body: () throws(CgroupError) -> Void) throws(CgroupError) {
        var attempt = 0
        while true {
            do {
                try body()
                return
            } catch where error.errno == ENOENT && attempt < 5 {
                attempt += 1
            }
        }
    }

    /// Polls `condition` until it holds or `seconds` pass: every 0.5 ms at first, backing off to 10 ms
    /// (a container that just exited leaves its cgroup within a millisecond or two).
    static func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = monotonicSeconds() + seconds
        var pause: UInt32 = 500
        while true {
            if condition() { return true }
            if monotonicSeconds() > deadline { return false }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
    }

    /// SIGKILLs every pid listed until the list stays empty — needed where there is no `cgroup.kill`. `pause`
    /// and `resume` (the freezer, when there is one) stop forks racing the signals.
    static func killAll(
        file: String, fileSystem: any CgroupFileSystem, pause: () -> Void = {}, resume: () -> Void = {}
    ) throws(CgroupError) {
        let done = wait(seconds: 10) {
            let pids = CgroupText.pids((try? fileSystem.read(file)) ?? "")
            if pids.isEmpty { return true }
            pause()
            for pid in pids { _ = Glibc.kill(pid, SIGKILL) }
            resume()
            return false
        }
        if !done {
            throw CgroupError(.busy, action: "kill", file: file, hint: "processes survived SIGKILL for 10 s")
        }
    }

    /// `rmdir`, retrying EBUSY for up to 2 s (exiting tasks leave the cgroup a moment after the signal).
    static func remove(_ directory: String, fileSystem: any CgroupFileSystem) throws(CgroupError) {
        let deadline = monotonicSeconds() + 2
        var pause: UInt32 = 500
        while true {
            do {
                try fileSystem.removeDirectory(directory)
                return
            } catch where error.code == .busy && monotonicSeconds() < deadline {
                usleep(pause)
                pause = min(pause * 2, 10_000)
            }
        }
    }

    /// Removes empty parents of `path` from the deepest up, stopping at the first still in use.
    static func pruneParents(of path: CgroupPath, under root: String, fileSystem: any CgroupFileSystem) {
        for parent in path.prefixes.dropLast().reversed() {
            let directory = root + "/" + parent.description
            if (try? fileSystem.subdirectories(directory))?.isEmpty == false { return }
            if (try? fileSystem.removeDirectory(directory)) == nil { return }
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension String {
    var trimmingNewline: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
