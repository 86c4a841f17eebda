import Glibc

/// How the runtime helper (`bosun __runtime-init 3`) is started: the one step that differs between a
/// foreground container (the caller spawns and reaps the helper, and is the init's subreaper) and a detached
/// one (a container monitor spawns it on the container's log pipes and becomes the init's parent).
protocol HelperSpawner {
    /// Starts `helper` with `socket` as its fd 3 — on cgroup v2 inside `cgroup`, already made (see
    /// `ContainerCgroup.isJoinedAtSpawn`). Returns the helper's pid when the caller must reap it.
    func spawn(helper: String, socket: Int32, cgroup: ContainerCgroup?) throws(RuntimeError) -> pid_t?
}

/// The caller spawns the helper itself, with the caller's stdio.
struct DirectHelperSpawner: HelperSpawner {
    func spawn(helper: String, socket: Int32, cgroup: ContainerCgroup?) throws(RuntimeError) -> pid_t? {
        let cgroupFD = cgroup?.openForSpawn()
        defer { if let cgroupFD { Sys.close(cgroupFD) } }
        return try Spawn.start(helper, arguments: ["bosun", RuntimeHelper.modeArgument, "3"], environment: [],
                               fds: [(socket, 3)], intoCgroup: cgroupFD, step: "start the runtime helper `\(helper)`")
    }
}
