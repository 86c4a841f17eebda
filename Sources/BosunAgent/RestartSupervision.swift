public import BosunModel

/// Restart policies for every container the agent watches: which exits it has seen, which restarts are due
/// (after their backoff), which containers are left stopped and why, and which are crash-looping. Pure: the
/// agent feeds it observations and carries out what it answers.
public struct RestartSupervision: Sendable {
    /// What the agent knows about one container.
    public struct Entry: Sendable, Hashable {
        public var policy: RestartPolicy
        /// The config hash the tracker counts for: a recreated container starts a fresh count.
        public var configHash: String
        public var tracker = RestartTracker()
        /// The exit already decided on (its finish time), so it is not counted twice.
        public var decidedExit: String?
        /// When a restart is due, in nanoseconds on the caller's clock.
        public var restartDue: Int64?
        /// Why it stays stopped; nil when it runs or is about to be restarted.
        public var leftStopped: String?
        /// The crash loop was reported (once per loop).
        public var crashLoopReported = false
        /// Exit code of the last exit seen.
        public var lastExitCode: Int32?

        public var isCrashLooping: Bool { tracker.isCrashLooping }
    }

    /// What to do about an exit.
    public enum Action: Sendable, Hashable {
        /// Start it again after the delay; `crashLoopStarted` is true on the exit that made it a crash loop.
        case restart(afterNanoseconds: Int64, crashLoopStarted: Bool)
        /// Leave it stopped, for this reason.
        case leave(String)
        /// Already decided (the same exit seen again).
        case none
    }

    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    mutating func restore(_ name: String, _ entry: Entry) { entries[name] = entry }

    mutating func entry(_ name: String, policy: RestartPolicy, configHash: String) -> Entry {
        if let existing = entries[name], existing.configHash == configHash {
            var updated = existing
            updated.policy = policy
            return updated
        }
        return Entry(policy: policy, configHash: configHash)
    }

    /// Whether a convergence must leave the stopped container `name` stopped. At the agent's start (after a
    /// reboot, or an agent restart) Docker's rules apply (`RestartTracker.startsAtAgentStart`): `always`,
    /// `unless-stopped` unless stopped by hand, and `on-failure` after a failed or unrecorded exit (`exitCode`
    /// -1: killed with the host) come back; the others stay down. Later, stopped containers are this
    /// supervision's to restart.
    public mutating func keepStopped(_ name: String, policy: RestartPolicy, configHash: String, exit: String, exitCode: Int32,
                                     stoppedByUser: Bool, atStartup: Bool) -> Bool {
        var entry = entry(name, policy: policy, configHash: configHash)
        defer { entries[name] = entry }
        if entry.restartDue != nil || entry.leftStopped != nil { return true }
        guard atStartup else { return true }
        entry.decidedExit = exit
        entry.lastExitCode = exitCode
        if RestartTracker.startsAtAgentStart(policy: policy, exitCode: exitCode, restarts: entry.tracker.restarts, wasStoppedByUser: stoppedByUser) {
            return false
        }
        entry.leftStopped = stoppedByUser ? "stopped by hand before the agent started" : "was stopped when the agent started (restart: \(policy))"
        return true
    }

    /// A container exited (`exit` identifies the exit, e.g. its finish time) after running `ranFor` nanoseconds.
    public mutating func exited(_ name: String, policy: RestartPolicy, configHash: String, exit: String, exitCode: Int32, ranFor: Int64,
                                stoppedByUser: Bool, now: Int64) -> Action {
        var entry = entry(name, policy: policy, configHash: configHash)
        defer { entries[name] = entry }
        guard entry.decidedExit != exit else { return .none }
        entry.decidedExit = exit
        entry.lastExitCode = exitCode
        let wasLooping = entry.tracker.isCrashLooping
        switch entry.tracker.exited(policy: policy, exitCode: exitCode, ranFor: ranFor, stoppedByUser: stoppedByUser) {
        case .restart(let delay):
            entry.restartDue = now + delay
            entry.leftStopped = nil
            let started = entry.tracker.isCrashLooping && !wasLooping && !entry.crashLoopReported
            if started { entry.crashLoopReported = true }
            return .restart(afterNanoseconds: delay, crashLoopStarted: started)
        case .leave(let reason):
            entry.restartDue = nil
            entry.leftStopped = reason
            return .leave(reason)
        }
    }

    /// Containers whose restart is due at `now`, by name.
    public func due(now: Int64) -> [String] {
        entries.filter { $0.value.restartDue.map { $0 <= now } ?? false }.map(\.key).sorted()
    }

    /// The container runs (it was restarted, or started by a convergence or by hand).
    public mutating func running(_ name: String) {
        guard var entry = entries[name] else { return }
        entry.restartDue = nil
        entry.leftStopped = nil
        if !entry.tracker.isCrashLooping { entry.crashLoopReported = false }
        entries[name] = entry
    }

    /// The container was started on request (`bosun start`): as Docker's `docker start` does, its restart count,
    /// backoff and crash-loop state start afresh (so `on-failure:N` has N restarts again), and nothing holds it.
    public mutating func startedOnRequest(_ name: String) {
        running(name)
        guard var entry = entries[name] else { return }
        entry.tracker = RestartTracker()
        entry.crashLoopReported = false
        entries[name] = entry
    }

    /// Whether the container is held stopped (a restart pending or left stopped).
    public func isHeld(_ name: String) -> Bool {
        entries[name].map { $0.restartDue != nil || $0.leftStopped != nil } ?? false
    }

    /// Forgets containers that are gone from the desired state.
    public mutating func keep(only names: Set<String>) {
        entries = entries.filter { names.contains($0.key) }
    }
}
