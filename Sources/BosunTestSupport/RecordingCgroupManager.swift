public import BosunCgroups
import Synchronization

/// A `CgroupManager` that touches no kernel: it records every call, keeps the pids it was given, and answers
/// `stats()` with whatever the test set. Calls can be made to fail with `failing`.
public final class RecordingCgroupManager: CgroupManager {
    /// A call made, with its arguments.
    public enum Call: Sendable, Equatable {
        case create(CgroupLimits)
        case createSettings(CgroupSettings)
        case updateSettings(CgroupSettings)
        case addProcess(Int32)
        case update(CgroupLimits)
        case stats
        case processes
        case freeze
        case thaw
        case kill
        case delete
    }

    struct State {
        var calls: [Call] = []
        var pids: [Int32] = []
        var stats = CgroupStats()
        var failures: [String: CgroupError] = [:]
    }

    public let path: CgroupPath
    public let cloneIntoDirectory: String?
    let state = Mutex(State())

    public init(path: CgroupPath, cloneIntoDirectory: String? = nil) {
        self.path = path
        self.cloneIntoDirectory = cloneIntoDirectory
    }

    /// Every call so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Sets what `stats()` returns.
    public func setStats(_ stats: CgroupStats) { state.withLock { $0.stats = stats } }

    /// Makes the named method (`create`, `kill`, …) throw `error` from now on.
    public func failing(_ method: String, with error: CgroupError) { state.withLock { $0.failures[method] = error } }

    func record(_ call: Call, _ method: String) throws(CgroupError) {
        let failure = state.withLock { state in
            state.calls.append(call)
            return state.failures[method]
        }
        if let failure { throw failure }
    }

    @discardableResult
    public func create(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        try record(.create(limits), "create")
        return CgroupApplyReport()
    }

    @discardableResult
    public func create(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        try record(.createSettings(settings), "create")
        return CgroupApplyReport(written: settings.writes)
    }

    @discardableResult
    public func update(settings: CgroupSettings) throws(CgroupError) -> CgroupApplyReport {
        try record(.updateSettings(settings), "update")
        return CgroupApplyReport(written: settings.writes)
    }

    public var processFiles: [String] { [] }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        try record(.addProcess(pid), "addProcess")
        state.withLock { $0.pids.append(pid) }
    }

    @discardableResult
    public func update(limits: CgroupLimits) throws(CgroupError) -> CgroupApplyReport {
        try record(.update(limits), "update")
        return CgroupApplyReport()
    }

    public func stats() throws(CgroupError) -> CgroupStats {
        try record(.stats, "stats")
        return state.withLock { $0.stats }
    }

    public func processes() throws(CgroupError) -> [Int32] {
        try record(.processes, "processes")
        return state.withLock { $0.pids }
    }

    public func freeze() throws(CgroupError) { try record(.freeze, "freeze") }
    public func thaw() throws(CgroupError) { try record(.thaw, "thaw") }

    public func kill() throws(CgroupError) {
        try record(.kill, "kill")
        state.withLock { $0.pids = [] }
    }

    public func delete() throws(CgroupError) { try record(.delete, "delete") }
}
