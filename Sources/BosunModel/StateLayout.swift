/// Every path under bosun's state directory, named once. Code that needs a file or directory of the state
/// directory asks this value; `scripts/check-state-paths` (part of `make test`) fails when a state path is
/// built from a string anywhere else. The layout, as docs/architecture.md draws it:
///
/// ```
/// <state>/                 0700
///   journal/               the journal (docs/journal-format.md)
///   journal-salt           the key of the journal's salted hashes
///   inventory.json         what bosun created (containers, networks, volumes, pending creates)
///   inventory.lock         its lock: every process rewriting it holds it (flock)
///   converge.lock          the convergence lock (flock)
///   restart-counts.json    the agent's restart counts
///   git/<mirror>/          bare git mirrors of the sources
///   sources/commits/<id>/  a commit's files, exported for its containers
///   sources/content/       the content store containers bind repository files from
///   images/                the image store (blobs, snapshots, image records)
///   volumes/<name>/_data   named volumes
///   network/               bridges, addresses and nftables records (network.json and its lock, containers/)
///   runtime/               the runtime's container states (state.json per container)
///   containers/<name>/     a container's bundle, overlay upper and work, /etc files, logs, records
/// ```
public struct StateLayout: Sendable, Hashable {
    public let root: String

    public init(_ root: String) { self.root = root }

    public var journal: String { root + "/journal" }
    public var journalSalt: String { root + "/journal-salt" }
    /// The host's journal identity key (ed25519, raw, 0600).
    public var journalKey: String { root + "/journal-key" }
    public var inventory: String { root + "/inventory.json" }
    /// The inventory's cross-process lock (`SharedStateFile`).
    public var inventoryLock: String { root + "/inventory.lock" }
    public var convergenceLock: String { root + "/converge.lock" }
    public var restartCounts: String { root + "/restart-counts.json" }
    public var git: String { root + "/git" }
    /// When this state directory first saw each commit it verified (signature validity windows).
    public var gitFirstSeen: String { git + "/first-seen.json" }
    public var sources: String { root + "/sources" }
    public var sourceCommits: String { sources + "/commits" }
    public var sourceContent: String { sources + "/content" }
    public var images: String { root + "/images" }
    public var volumes: String { root + "/volumes" }
    public var network: String { root + "/network" }
    public var runtime: String { root + "/runtime" }
    public var containers: String { root + "/containers" }
    /// One container's directory.
    public func container(_ name: String) -> String { containers + "/" + name }

    /// Inside `network`: the network manager's records and its per-container records.
    public struct Network: Sendable, Hashable {
        public let root: String
        public init(_ root: String) { self.root = root }
        public var records: String { root + "/network.json" }
        /// The records' cross-process lock (`SharedStateFile`).
        public var recordsLock: String { root + "/network.lock" }
        public var containers: String { root + "/containers" }
    }
}
