/// A cgroup's place relative to the directory bosun manages (the hierarchy root, or the delegated cgroup):
/// validated components, never absolute, never `..`. Containers live at `bosun/<project>/<container>`.
public struct CgroupPath: Sendable, Hashable, CustomStringConvertible {
    /// The top directory of bosun's subtree. Not `bosun.slice`: under systemd a `.slice` name would claim to
    /// be a systemd unit that no unit file describes.
    public static let subtree = "bosun"

    public let components: [String]

    /// Accepts `[A-Za-z0-9_.@:-]` names that are not `.`/`..` and do not look like interface files
    /// (`cgroup.*`, or a controller name followed by a dot).
    public init(components: [String]) throws(CgroupError) {
        guard !components.isEmpty else {
            throw CgroupError(.invalidPath, action: "validate", hint: "a cgroup path needs at least one component")
        }
        for name in components {
            let allowed = name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@")
                    || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
            }
            let looksLikeFile = Self.interfacePrefixes.contains { name.hasPrefix($0 + ".") }
            guard allowed, !name.isEmpty, name != ".", name != "..", name.utf8.count <= 255, !looksLikeFile else {
                throw CgroupError(.invalidPath, action: "validate", file: components.joined(separator: "/"),
                                  hint: "`\(name)` is not a usable cgroup name")
            }
        }
        self.components = components
    }

    /// `bosun/<project>/<container>`: one cgroup per container, grouped by project so a project's usage can be
    /// read (and limited) at `bosun/<project>`.
    public static func container(project: String, name: String) throws(CgroupError) -> CgroupPath {
        try CgroupPath(components: [subtree, project, name])
    }

    /// `a/b/c`
    public var description: String { components.joined(separator: "/") }

    /// The paths from the top component down to this one: `a`, `a/b`, `a/b/c`.
    public var prefixes: [CgroupPath] {
        (1...components.count).map { CgroupPath(unchecked: Array(components.prefix($0))) }
    }

    init(unchecked components: [String]) { self.components = components }

    static let interfacePrefixes = [
        "cgroup", "cpu", "cpuacct", "cpuset", "memory", "io", "blkio", "pids", "freezer", "devices", "hugetlb",
        "rdma", "misc", "net_cls", "net_prio", "perf_event",
    ]
}
