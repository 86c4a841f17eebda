import Glibc
import BosunLinux
public import BosunFailure

/// A failed cgroup operation: what was done (`write`, `mkdir`, …), to which file, with which value, the kernel's
/// errno when there was one, and a hint on how to remedy it. `code` says how a caller should handle it.
public struct CgroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, and so how to handle it.
    public enum Code: String, Sendable, Equatable {
        /// No cgroup filesystem was found at the root: stall, the host is misconfigured.
        case notMounted
        /// The limit needs a controller (or interface file) that this hierarchy does not have: stall.
        case controllerUnavailable
        /// The value is outside what the kernel (or Docker's rules) accepts; nothing was written: stall.
        case invalidLimit
        /// The kernel refused a write (EINVAL, ERANGE, …): stall.
        case rejected
        /// The cgroup is busy (EBUSY) or still has processes: retry after `kill()`.
        case busy
        /// A path or name that cannot be a cgroup: stall.
        case invalidPath
        /// Any other system error: retry.
        case io
    }

    public var code: Code
    /// The action, in lower case: `write`, `read`, `mkdir`, `rmdir`, `kill`, `validate`.
    public var action: String
    /// The file or directory acted on, when there is one.
    public var file: String?
    /// The value written or rejected, when there is one.
    public var value: String?
    /// The kernel's errno, when the failure came from a system call.
    public var errno: Int32?
    public var hint: String?

    public init(
        _ code: Code, action: String, file: String? = nil, value: String? = nil, errno: Int32? = nil,
        hint: String? = nil
    ) {
        self.code = code
        self.action = action
        self.file = file
        self.value = value
        self.errno = errno
        self.hint = hint
    }

    /// `write `/sys/fs/cgroup/bosun/x/memory.max` = `abc`: Invalid argument (hint: …)`
    public var description: String {
        var text = action
        if let file { text += " `\(file)`" }
        if let value { text += " = `\(value)`" }
        if let errno { text += ": " + Errno.text(errno) }
        if let hint { text += errno == nil ? ": \(hint)" : " (\(hint))" }
        return text
    }

    /// Builds the error for a failed system call on `file`, choosing the code from `errno`.
    static func system(_ action: String, _ file: String, value: String? = nil, errno code: Int32) -> CgroupError {
        switch code {
        case EBUSY:
            return CgroupError(.busy, action: action, file: file, value: value, errno: code,
                               hint: "the cgroup still has processes or children; kill them and retry")
        case EINVAL, ERANGE, EOPNOTSUPP:
            return CgroupError(.rejected, action: action, file: file, value: value, errno: code,
                               hint: "the kernel does not accept this value here")
        case ENOENT where action == "write" || action == "read":
            return CgroupError(.controllerUnavailable, action: action, file: file, value: value, errno: code,
                               hint: "the interface file does not exist: is the controller enabled for this cgroup?")
        default:
            return CgroupError(.io, action: action, file: file, value: value, errno: code)
        }
    }
}

extension CgroupError: FailureDescribing {
    public var failure: Failure {
        let handling: Failure.Handling
        switch code {
        case .busy, .io: handling = .retry
        case .notMounted, .controllerUnavailable: handling = .fixHost
        case .invalidLimit, .rejected, .invalidPath: handling = .fixInput
        }
        var object = file.map { "`\($0)`" }
        if let value { object = (object.map { $0 + " " } ?? "") + "= `\(value)`" }
        return Failure(action: action, object: object, cause: errno.map(Errno.lowercased) ?? "refused", hint: hint, handling: handling)
    }
}
