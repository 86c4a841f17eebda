import BosunOCI
import Glibc

/// What the caller sends the helper (`bosun __runtime-init 3 exec`) to run a process in a running container.
struct ExecConfig: Codable, Sendable {
    var containerID: String
    /// The container's init (host pid) and its start time: the helper refuses a pid that was reused.
    var pid: Int32
    var startTime: UInt64
    /// The process to run: the container's own `process` with the arguments (and options) replaced.
    var process: RuntimeSpec.Process
    /// `user[:group]` to resolve inside the container instead of `process.user`.
    var userOverride: String?
    var seccomp: SeccompProgram?
    /// The container cgroup's `cgroup.procs` files: the helper joins them before entering any namespace.
    var cgroupProcs: [String]
    /// Whether the process is cloned as the caller's child (CLONE_PARENT) so that the caller can wait for it;
    /// a detached process is reparented to the nearest subreaper when the helper exits.
    var attached: Bool
}

/// How a command run in a container ends when it could not be run: Docker's exit codes.
extension RuntimeError {
    /// 127 when the program does not exist, 126 when it cannot be executed, 125 for any other failure.
    public var execExitCode: Int32 {
        guard step.hasPrefix("exec `") else { return 125 }
        return errno == Glibc.ENOENT ? 127 : 126
    }
}
