public import BosunCgroups
public import BosunOCI

extension ContainerRuntime {
    /// Applies new limits to a running container's cgroup in place (`bosun runtime update`): a changed
    /// memory, CPU or pids limit takes effect without a restart, and drift in them is corrected. Limits this
    /// host cannot apply are reported through `warn`.
    public func update(id: String, resources: RuntimeSpec.LinuxResources) throws(RuntimeError) {
        let record = try store.load(id)
        guard store.status(of: record) != "stopped" else {
            throw RuntimeError("update container `\(id)`", detail: "the container is not running")
        }
        guard let path = record.cgroupPath, let cgroup = ContainerCgroup.open(recordedPath: path, root: record.cgroupRoot ?? cgroupRoot) else {
            throw RuntimeError("update container `\(id)`", detail: "it has no cgroup on this host")
        }
        try cgroup.update(resources, devices: [], warn: warn)
    }

    /// The container's cgroup usage: memory, CPU time, pids, OOM kills. Nil when it has no cgroup.
    public func stats(id: String) throws(RuntimeError) -> CgroupStats? {
        let record = try store.load(id)
        guard let path = record.cgroupPath, let cgroup = ContainerCgroup.open(recordedPath: path, root: record.cgroupRoot ?? cgroupRoot) else { return nil }
        do {
            return try cgroup.manager.stats()
        } catch {
            throw RuntimeError("read the cgroup statistics of container `\(id)`", detail: "\(error)")
        }
    }
}
