@testable import BosunCgroups
import Foundation
import Synchronization

/// A temp directory that imitates a cgroup2 mount: `mkdir` fills a new cgroup with the interface files of the
/// controllers its parent enabled, `cgroup.subtree_control` takes `+ctrl`, `cgroup.procs` appends, `cgroup.kill`
/// empties it, `rmdir` refuses a cgroup with processes or children. Every write is recorded.
final class FakeCgroupTree: CgroupFileSystem {
    let root: String
    let host = HostCgroupFileSystem()
    let log = Mutex<[String]>([])
    let delegated = Mutex<Set<String>>([])

    init(controllers: String = "cpuset cpu io memory hugetlb pids rdma misc", cpus: String = "0-1") throws {
        root = NSTemporaryDirectory() + "bosun-fake-cgroup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (file, value) in [
            ("cgroup.controllers", controllers + "\n"), ("cgroup.subtree_control", "\n"), ("cgroup.procs", ""),
            ("cpuset.cpus.effective", cpus + "\n"),
        ] { try create(root + "/" + file, value) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The writes so far, paths relative to the root: `bosun/web/memory.max=max`.
    var writes: [String] { log.withLock { $0 } }

    func create(_ path: String, _ value: String) throws {
        try value.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func text(_ relative: String) -> String { (try? read(root + "/" + relative))?.trimmingNewline ?? "<missing>" }

    /// Sets the content of an interface file the kernel would maintain (usage counters).
    func set(_ relative: String, _ value: String) throws { try create(root + "/" + relative, value) }

    func read(_ path: String) throws(CgroupError) -> String { try host.read(path) }

    func write(_ path: String, _ value: String) throws(CgroupError) {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        guard host.exists(path) else { throw .system("write", path, value: value, errno: ENOENT) }
        log.withLock { $0.append(String(path.dropFirst(root.count + 1)) + "=" + value) }
        switch name {
        case "cgroup.subtree_control":
            let available = words(try host.read(directory + "/cgroup.controllers"))
            var enabled = words(try host.read(path))
            for token in value.split(separator: " ") {
                let controller = String(token.dropFirst())
                guard available.contains(controller) else { throw .system("write", path, value: value, errno: EINVAL) }
                if token.hasPrefix("+") { enabled.insert(controller) } else { enabled.remove(controller) }
            }
            try host.write(path, enabled.sorted().joined(separator: " ") + "\n")
        case "cgroup.procs":
            try host.write(path, try host.read(path) + value + "\n")
        case "cgroup.kill":
            try host.write(directory + "/cgroup.procs", "")
        case "cgroup.freeze":
            try host.write(path, value)
            try host.write(directory + "/cgroup.events", "populated 0\nfrozen \(value)\n")
        default:
            try host.write(path, value)
        }
    }

    func exists(_ path: String) -> Bool { host.exists(path) }
    func isWritable(_ path: String) -> Bool { host.isWritable(path) }
    func isDelegated(_ path: String) -> Bool { delegated.withLock { $0.contains(path) } }

    /// Device filters attached, by directory relative to the root.
    let deviceFilters = Mutex<[String: [DeviceFilterProgram.Instruction]]>([:])

    func attachDeviceFilter(_ directory: String, _ program: [DeviceFilterProgram.Instruction]) throws(CgroupError) {
        let relative = String(directory.dropFirst(root.count + 1))
        deviceFilters.withLock { $0[relative] = program }
        log.withLock { $0.append("\(relative)/<device filter: \(program.count) instructions>") }
    }
    func subdirectories(_ path: String) throws(CgroupError) -> [String] { try host.subdirectories(path) }

    func makeDirectory(_ path: String) throws(CgroupError) {
        guard !host.exists(path) else { return }
        try host.makeDirectory(path)
        let parent = String(path[..<path.lastIndex(of: "/")!])
        let enabled = words(try host.read(parent + "/cgroup.subtree_control"))
        var files: [String: String] = [
            "cgroup.controllers": enabled.sorted().joined(separator: " ") + "\n", "cgroup.subtree_control": "\n",
            "cgroup.procs": "", "cgroup.events": "populated 0\nfrozen 0\n", "cgroup.freeze": "0\n",
            "cgroup.kill": "", "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
        ]
        let perController: [String: [String: String]] = [
            "memory": [
                "memory.max": "max\n", "memory.low": "0\n", "memory.swap.max": "max\n", "memory.current": "0\n",
                "memory.peak": "0\n", "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
            ],
            "cpu": ["cpu.max": "max 100000\n", "cpu.weight": "100\n"],
            "pids": ["pids.max": "max\n", "pids.current": "0\n", "pids.events": "max 0\n"],
            "io": ["io.weight": "default 100\n"],
            "cpuset": ["cpuset.cpus": "\n", "cpuset.cpus.effective": (try? host.read(parent + "/cpuset.cpus.effective")) ?? "\n"],
        ]
        for controller in enabled { files.merge(perController[controller] ?? [:]) { $1 } }
        for (name, value) in files { try? create(path + "/" + name, value) }
    }

    func removeDirectory(_ path: String) throws(CgroupError) {
        guard host.exists(path) else { return }
        let procs = try host.read(path + "/cgroup.procs")
        let children = try host.subdirectories(path)
        if !procs.isEmpty || !children.isEmpty {
            throw .system("rmdir", path, errno: EBUSY)
        }
        log.withLock { $0.append("rmdir " + String(path.dropFirst(root.count + 1))) }
        try? FileManager.default.removeItem(atPath: path)
    }

    func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// A mountinfo line mounting cgroup2 at the root.
    var unifiedMountinfo: String {
        "31 23 0:28 / \(root) rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    }

    /// The v2 layout of this tree, detected.
    func layout(selfCgroup: String = "0::/\n", euid: UInt32 = 0) throws -> CgroupLayout {
        try CgroupLayout.detect(root: root, mountinfo: unifiedMountinfo, procSelfCgroup: selfCgroup,
                                effectiveUID: euid, fileSystem: self)
    }
}
