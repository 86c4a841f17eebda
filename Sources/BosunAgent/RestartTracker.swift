public import BosunModel

/// Whether and when a stopped container is started again, per its restart policy, with exponential backoff
/// and crash-loop detection. Pure: the agent feeds it what it observed.
public struct RestartTracker: Sendable, Hashable {
    /// The first delay; it doubles per restart up to `maximumDelay` and resets after a run of `stableRun`.
    public static let initialDelay: Int64 = 100_000_000
    public static let maximumDelay: Int64 = 60_000_000_000
    public static let stableRun: Int64 = 10_000_000_000
    /// This many short runs in a row is a crash loop.
    public static let crashLoopRuns = 5

    /// Restarts made so far (what `on-failure:N` counts; reset when the container is recreated).
    public private(set) var restarts = 0
    /// Consecutive runs shorter than `stableRun`.
    public private(set) var shortRuns = 0
    public private(set) var currentDelay: Int64 = 0

    public init() {}

    /// A tracker as it was saved (`RestartCounts`); values out of range are clamped.
    public init(restarts: Int, shortRuns: Int, currentDelay: Int64) {
        self.restarts = max(0, restarts)
        self.shortRuns = max(0, shortRuns)
        self.currentDelay = min(max(0, currentDelay), RestartTracker.maximumDelay)
    }

    /// What to do about a container that exited.
    public enum Decision: Sendable, Hashable {
        /// Start it again after this many nanoseconds.
        case restart(afterNanoseconds: Int64)
        /// Leave it stopped, with the reason (for status and the journal).
        case leave(String)
    }

    /// True while the container keeps dying within `stableRun` of each start.
    public var isCrashLooping: Bool { shortRuns >= RestartTracker.crashLoopRuns }

    /// Decides for an exit with `exitCode` after running `ranFor` nanoseconds. `stoppedByUser` is a stop bosun
    /// was asked for (`bosun stop`, or the desired state): no policy restarts that.
    public mutating func exited(policy: RestartPolicy, exitCode: Int32, ranFor: Int64, stoppedByUser: Bool) -> Decision {
        if ranFor >= RestartTracker.stableRun {
            shortRuns = 0
            currentDelay = 0
        } else {
            shortRuns += 1
        }
        if stoppedByUser { return .leave("stopped on request") }
        switch policy {
        case .no:
            return .leave("restart policy is no")
        case .onFailure(let maximum):
            if exitCode == 0 { return .leave("exited successfully (restart: on-failure)") }
            if let maximum, restarts >= maximum {
                return .leave("gave up after \(maximum) restart\(maximum == 1 ? "" : "s") (restart: on-failure:\(maximum))")
            }
        case .always, .unlessStopped:
            break
        }
        currentDelay = currentDelay == 0 ? RestartTracker.initialDelay : min(currentDelay * 2, RestartTracker.maximumDelay)
        restarts += 1
        return .restart(afterNanoseconds: currentDelay)
    }

    /// At the agent's start (after a host reboot or an agent restart), Docker's rules for a container found
    /// stopped: `always` comes back, `unless-stopped` unless it was stopped on request, `on-failure[:N]` when its
    /// last exit was a failure (non-zero, or none recorded: a container still running when the host went down
    /// has no exit status, which Docker records as 255) and fewer than N restarts were made, unless it was stopped
    /// on request; `no` never.
    public static func startsAtAgentStart(policy: RestartPolicy, exitCode: Int32, restarts: Int, wasStoppedByUser: Bool) -> Bool {
        switch policy {
        case .always: return true
        case .unlessStopped: return !wasStoppedByUser
        case .onFailure(let maximum): return !wasStoppedByUser && exitCode != 0 && maximum.map { restarts < $0 } ?? true
        case .no: return false
        }
    }
}
