@testable import BosunCgroups
import Foundation
import Synchronization
import Testing

/// Root-only tests on this host's cgroup v1 hierarchies. Skipped when not root, failed when `CI` is set.
enum HostGate {
    /// The v1 layout when the test can run; nil (after recording an issue under CI) when it cannot.
    static func legacy() -> LegacyHierarchies? {
        let layout = try? CgroupLayout.detect()
        if getuid() == 0, case .legacy(let hierarchies)? = layout { return hierarchies }
        // A pure-v2 host has no v1 to test; a host with v1 mounted that was not detected as such is a failure.
        let v1Mounted = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/cgroup.procs")
        if ProcessInfo.processInfo.environment["CI"] != nil, getuid() != 0 || v1Mounted {
            Issue.record("CI is set but cgroup v1 tests cannot run: uid \(getuid()), layout \(String(describing: layout))")
        }
        return nil
    }
}

/// A unique `bosun-test-<pid>-<n>` subtree in every hierarchy, removed (processes killed first) on `cleanUp()`.
struct ScratchCgroups {
    static let counter = Mutex(0)
    let top: String
    let hierarchies: LegacyHierarchies

    init(_ hierarchies: LegacyHierarchies) {
        let n = Self.counter.withLock { value in
            value += 1
            return value
        }
        top = "bosun-test-\(getpid())-\(n)"
        self.hierarchies = hierarchies
    }

    func path(_ name: String) throws -> CgroupPath { try CgroupPath(components: [top, "proj", name]) }

    /// Every directory of the subtree that still exists, in every hierarchy.
    var leftovers: [String] {
        hierarchies.hierarchies.flatMap { root -> [String] in
            let top = root + "/" + self.top
            guard FileManager.default.fileExists(atPath: top) else { return [] }
            let below = (FileManager.default.subpaths(atPath: top) ?? [])
                .filter { path in var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: top + "/" + path, isDirectory: &isDirectory)
                        && isDirectory.boolValue }
            return [top] + below.map { top + "/" + $0 }
        }
    }

    func cleanUp() {
        let fileSystem = HostCgroupFileSystem()
        for directory in leftovers.sorted(by: { $0.count > $1.count }) {
            if directory.contains("/freezer/") { try? fileSystem.write(directory + "/freezer.state", "THAWED") }
            _ = CgroupOperations.wait(seconds: 5) {
                let pids = CgroupText.pids((try? fileSystem.read(directory + "/cgroup.procs")) ?? "")
                for pid in pids { kill(pid, SIGKILL) }
                return pids.isEmpty
            }
            _ = CgroupOperations.wait(seconds: 5) { rmdir(directory) == 0 || errno == ENOENT }
        }
    }
}

/// A `busybox sh -c SCRIPT` child that blocks on reading stdin until `release()`, so it can be moved into a
/// cgroup before it does anything.
final class HeldChild {
    let pid: pid_t
    var gate: Int32

    init(_ script: String) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = ["/bin/busybox", "sh", "-c", "read gate; " + script]
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/busybox", &actions, nil, &cArgs, environ)
        close(fds[0])
        guard result == 0 else {
            close(fds[1])
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
        }
        pid = child
        gate = fds[1]
    }

    func release() {
        _ = write(gate, "go\n", 3)
        close(gate)
        gate = -1
    }

    /// The wait status, or nil when the child has not exited within `seconds` (it is then killed and reaped).
    func wait(seconds: Double) -> Int32? {
        var status: Int32 = 0
        let exited = CgroupOperations.wait(seconds: seconds) { waitpid(pid, &status, WNOHANG) == pid }
        if exited { return status }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return nil
    }

    deinit {
        if gate >= 0 { close(gate) }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
    }
}
