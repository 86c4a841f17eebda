/// A seccomp action (`SCMP_ACT_*`) and the 32-bit value a filter returns for it.
public enum SeccompAction: Sendable, Hashable, CustomStringConvertible {
    case allow
    case errno(UInt16)
    case killThread
    case killProcess
    case trap
    case trace(UInt16)
    case log
    case notify

    /// The errno a rule's `SCMP_ACT_ERRNO` returns when neither `errnoRet` nor `defaultErrnoRet` says: EPERM.
    public static let defaultErrno: UInt32 = 1
    /// `MAX_ERRNO`: the kernel clamps larger values.
    public static let maxErrno: UInt32 = 4095

    /// Parses an OCI action name. `errnoRet` is the rule's (or, for the default action, the policy's
    /// `defaultErrnoRet`); it is valid only with `SCMP_ACT_ERRNO` and `SCMP_ACT_TRACE` (runc uses it as the
    /// trace message too), and defaults to EPERM for both, as runc does.
    /// - Throws: `SeccompError` naming `subject` for an unknown action or an errno out of range.
    public init(name: String, errnoRet: UInt32?, subject: String) throws(SeccompError) {
        let data = errnoRet ?? Self.defaultErrno
        switch name {
        case "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE":
            guard data <= Self.maxErrno else {
                throw SeccompError(.errnoOutOfRange, "\(subject): errnoRet \(data) is out of range", hint: "use 0…4095")
            }
            self = name == "SCMP_ACT_ERRNO" ? .errno(UInt16(data)) : .trace(UInt16(data))
            return
        default:
            break
        }
        let action: SeccompAction
        switch name {
        case "SCMP_ACT_ALLOW": action = .allow
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": action = .killThread
        case "SCMP_ACT_KILL_PROCESS": action = .killProcess
        case "SCMP_ACT_TRAP": action = .trap
        case "SCMP_ACT_LOG": action = .log
        case "SCMP_ACT_NOTIFY": action = .notify
        default:
            throw SeccompError(
                .unknownAction, "\(subject): unknown action \"\(name)\"",
                hint: "use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, "
                    + "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY")
        }
        if let errnoRet {
            throw SeccompError(
                .errnoWithoutErrnoAction, "\(subject): errnoRet \(errnoRet) given with \(name)",
                hint: "errnoRet applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE")
        }
        self = action
    }

    /// Decodes a filter's return value (`SECCOMP_RET_*` plus data), as the kernel does.
    public init(returnValue value: UInt32) {
        let data = UInt16(value & BPF.retData)
        switch value & BPF.retActionFull {
        case BPF.retKillProcess: self = .killProcess
        case BPF.retKillThread: self = .killThread
        case BPF.retTrap: self = .trap
        case BPF.retErrno: self = .errno(data)
        case BPF.retUserNotif: self = .notify
        case BPF.retTrace: self = .trace(data)
        case BPF.retLog: self = .log
        case BPF.retAllow: self = .allow
        default: self = .killProcess  // the kernel treats unknown actions as SECCOMP_RET_KILL_PROCESS
        }
    }

    /// The value the filter returns: `SECCOMP_RET_*` | data.
    public var returnValue: UInt32 {
        switch self {
        case .allow: BPF.retAllow
        case .errno(let errno): BPF.retErrno | UInt32(errno)
        case .killThread: BPF.retKillThread
        case .killProcess: BPF.retKillProcess
        case .trap: BPF.retTrap
        case .trace(let message): BPF.retTrace | UInt32(message)
        case .log: BPF.retLog
        case .notify: BPF.retUserNotif
        }
    }

    public var description: String {
        switch self {
        case .allow: "allow"
        case .errno(let errno): "errno \(errno)"
        case .killThread: "kill thread"
        case .killProcess: "kill process"
        case .trap: "trap"
        case .trace(let message): "trace \(message)"
        case .log: "log"
        case .notify: "notify"
        }
    }
}
