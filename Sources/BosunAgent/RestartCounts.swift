/// What the agent keeps of its restart supervision across its own restarts (`<state>/restart-counts.json`):
/// per container, the restarts made, the run of short runs and the backoff reached (so a crash loop stays one),
/// and the last exit decided on (so it is not counted twice). Pending restarts and the reasons a container is
/// left stopped are not kept: at start the agent applies Docker's rules afresh (`always` comes back).
public struct RestartCounts: Sendable, Hashable, Codable {
    /// One container's counts, for the config hash they were counted for.
    public struct Container: Sendable, Hashable, Codable {
        public var configHash: String
        public var restarts: Int
        public var shortRuns: Int
        public var delayNanoseconds: Int64
        public var crashLoopReported: Bool
        public var lastExitCode: Int32?
        public var decidedExit: String?

        public init(configHash: String, restarts: Int, shortRuns: Int, delayNanoseconds: Int64, crashLoopReported: Bool,
                    lastExitCode: Int32?, decidedExit: String?) {
            self.configHash = configHash
            self.restarts = restarts
            self.shortRuns = shortRuns
            self.delayNanoseconds = delayNanoseconds
            self.crashLoopReported = crashLoopReported
            self.lastExitCode = lastExitCode
            self.decidedExit = decidedExit
        }

        enum CodingKeys: String, CodingKey {
            case configHash = "config_hash", restarts, shortRuns = "short_runs", delayNanoseconds = "delay_ns"
            case crashLoopReported = "crash_loop_reported", lastExitCode = "last_exit_code", decidedExit = "decided_exit"
        }
    }

    /// The format's version; another version is not read.
    public var version: Int
    public var containers: [String: Container]

    public static let currentVersion = 1

    public init(containers: [String: Container] = [:]) {
        version = RestartCounts.currentVersion
        self.containers = containers
    }
}

extension RestartSupervision {
    /// What to keep across an agent restart: every container the supervision has seen.
    public var counts: RestartCounts {
        RestartCounts(containers: entries.mapValues { entry in
            RestartCounts.Container(configHash: entry.configHash, restarts: entry.tracker.restarts, shortRuns: entry.tracker.shortRuns,
                                    delayNanoseconds: entry.tracker.currentDelay, crashLoopReported: entry.crashLoopReported,
                                    lastExitCode: entry.lastExitCode, decidedExit: entry.decidedExit)
        })
    }

    /// The supervision as a previous agent left it. Counts out of range (a hand-edited file) are clamped, so bad
    /// input never crashes and never makes a backoff longer than the maximum. The policy is taken from the
    /// desired state when the container is next looked at.
    public init(restoring counts: RestartCounts) {
        self.init()
        for (name, saved) in counts.containers where !name.isEmpty {
            var entry = Entry(policy: .no, configHash: saved.configHash)
            entry.tracker = RestartTracker(restarts: saved.restarts, shortRuns: saved.shortRuns, currentDelay: saved.delayNanoseconds)
            entry.crashLoopReported = saved.crashLoopReported
            entry.lastExitCode = saved.lastExitCode
            entry.decidedExit = saved.decidedExit
            restore(name, entry)
        }
    }
}
