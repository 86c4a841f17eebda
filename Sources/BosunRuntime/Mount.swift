public import BosunOCI
import CBosunSys

/// One mount as plain data: a serialised mount(2) call (and the remount a read-only bind needs), with its
/// target relative to the container's root. `MountExecutor` performs it.
public struct Mount: Sendable, Hashable {
    /// What kind of mount this is.
    public enum Kind: Sendable, Hashable {
        /// A filesystem (`proc`, `tmpfs`, `sysfs`, …) with its mount data (`size=65536k,mode=755`).
        case filesystem(type: String, data: String)
        /// A bind of a host path (recursive for `rbind`).
        case bind(recursive: Bool)
        /// The cgroup filesystem: cgroup2 when the host is unified, else an empty read-only tmpfs.
        case cgroup
    }

    public var kind: Kind
    /// The source as given (`proc`, `/host/dir`); for binds an absolute host path.
    public var source: String
    /// The destination inside the container, absolute (`/proc`).
    public var destination: String
    /// MS_* flags other than propagation.
    public var flags: UInt
    /// MS_PRIVATE / MS_SLAVE / MS_SHARED / MS_UNBINDABLE (with MS_REC), applied after the mount.
    public var propagation: [UInt]

    public init(kind: Kind, source: String, destination: String, flags: UInt, propagation: [UInt] = []) {
        self.kind = kind
        self.source = source
        self.destination = destination
        self.flags = flags
        self.propagation = propagation
    }

    public var typeName: String {
        switch kind {
        case .filesystem(let type, _): type
        case .bind: "bind"
        case .cgroup: "cgroup"
        }
    }

    /// Whether a bind needs a second, remounting call to apply `ro`/`nosuid`/… (the kernel ignores them on
    /// the first bind call).
    public var needsRemount: Bool {
        guard case .bind = kind else { return false }
        return flags & (BOSUN_MS_RDONLY | BOSUN_MS_NOSUID | BOSUN_MS_NODEV | BOSUN_MS_NOEXEC) != 0
    }

    /// The mounts of a spec, in order. Bind sources are made absolute against the bundle.
    /// `mountLabel` (SELinux) goes into the data of the filesystems runc labels.
    public static func plan(_ mounts: [RuntimeSpec.Mount], bundle: String, mountLabel: String? = nil) throws(RuntimeError) -> [Mount] {
        try mounts.map { (entry) throws(RuntimeError) -> Mount in
            var mount = try Mount(entry, bundle: bundle)
            if case .filesystem(let type, let data) = mount.kind {
                mount.kind = .filesystem(type: type, data: SecurityLabels.labelled(type: type, data: data, mountLabel: mountLabel))
            }
            return mount
        }
    }

    /// Translates one config.json mount; rejects what cannot be performed.
    public init(_ entry: RuntimeSpec.Mount, bundle: String) throws(RuntimeError) {
        let parsed = MountOptions(entry.options ?? [])
        guard entry.destination.hasPrefix("/") else {
            throw RuntimeError("mount `\(entry.destination)`", detail: "the destination must be an absolute path")
        }
        let type = entry.type ?? (parsed.bind ? "bind" : "")
        let isBind = parsed.bind || type == "bind"
        if isBind {
            var source = entry.source ?? ""
            guard !source.isEmpty else { throw RuntimeError("bind mount on `\(entry.destination)`", detail: "no source") }
            if !source.hasPrefix("/") { source = bundle + "/" + source }
            self.init(kind: .bind(recursive: parsed.recursive), source: source, destination: entry.destination,
                      flags: parsed.flags, propagation: parsed.propagation)
        } else if type == "cgroup" || type == "cgroup2" {
            self.init(kind: .cgroup, source: "cgroup", destination: entry.destination, flags: parsed.flags, propagation: parsed.propagation)
        } else {
            guard !type.isEmpty else { throw RuntimeError("mount on `\(entry.destination)`", detail: "no filesystem type") }
            self.init(kind: .filesystem(type: type, data: parsed.data.joined(separator: ",")), source: entry.source ?? type,
                      destination: entry.destination, flags: parsed.flags, propagation: parsed.propagation)
        }
    }
}

/// Mount options split into MS_* flags, propagation changes and filesystem data, as runc and crun do.
public struct MountOptions: Sendable, Hashable {
    public var flags: UInt = 0
    public var propagation: [UInt] = []
    public var data: [String] = []
    public var bind = false
    public var recursive = false

    public init(_ options: [String]) {
        for option in options {
            if let (set, flag) = MountOptions.flagTable[option] {
                if set { flags |= flag } else { flags &= ~flag }
            } else if let change = MountOptions.propagationTable[option] {
                propagation.append(change)
            } else if option == "bind" {
                bind = true
            } else if option == "rbind" {
                bind = true
                recursive = true
            } else if option == "defaults" {
                continue
            } else {
                data.append(option)
            }
        }
    }

    static let flagTable: [String: (Bool, UInt)] = [
        "ro": (true, BOSUN_MS_RDONLY), "rw": (false, BOSUN_MS_RDONLY),
        "nosuid": (true, BOSUN_MS_NOSUID), "suid": (false, BOSUN_MS_NOSUID),
        "nodev": (true, BOSUN_MS_NODEV), "dev": (false, BOSUN_MS_NODEV),
        "noexec": (true, BOSUN_MS_NOEXEC), "exec": (false, BOSUN_MS_NOEXEC),
        "sync": (true, BOSUN_MS_SYNCHRONOUS), "async": (false, BOSUN_MS_SYNCHRONOUS),
        "dirsync": (true, BOSUN_MS_DIRSYNC), "mand": (true, BOSUN_MS_MANDLOCK), "nomand": (false, BOSUN_MS_MANDLOCK),
        "noatime": (true, BOSUN_MS_NOATIME), "atime": (false, BOSUN_MS_NOATIME),
        "nodiratime": (true, BOSUN_MS_NODIRATIME), "diratime": (false, BOSUN_MS_NODIRATIME),
        "relatime": (true, BOSUN_MS_RELATIME), "norelatime": (false, BOSUN_MS_RELATIME),
        "strictatime": (true, BOSUN_MS_STRICTATIME), "nostrictatime": (false, BOSUN_MS_STRICTATIME),
        "lazytime": (true, BOSUN_MS_LAZYTIME), "nolazytime": (false, BOSUN_MS_LAZYTIME),
        "silent": (true, BOSUN_MS_SILENT), "loud": (false, BOSUN_MS_SILENT),
    ]

    public static let propagationTable: [String: UInt] = [
        "private": BOSUN_MS_PRIVATE, "rprivate": BOSUN_MS_PRIVATE | BOSUN_MS_REC,
        "slave": BOSUN_MS_SLAVE, "rslave": BOSUN_MS_SLAVE | BOSUN_MS_REC,
        "shared": BOSUN_MS_SHARED, "rshared": BOSUN_MS_SHARED | BOSUN_MS_REC,
        "unbindable": BOSUN_MS_UNBINDABLE, "runbindable": BOSUN_MS_UNBINDABLE | BOSUN_MS_REC,
    ]
}
