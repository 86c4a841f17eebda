import Glibc
public import BosunLinux
public import BosunFailure

/// A failure of one runtime step: what was being done to which object, the errno when a system call failed,
/// and a hint on how it may be remedied. Printed as ``mount `proc` on `/…/rootfs/proc`: permission denied``.
public struct RuntimeError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The action and its object, e.g. ``mount `proc` on `/rootfs/proc` ``.
    public var step: String
    /// The errno of the failed system call, when one failed.
    public var errno: Int32?
    /// Extra detail when there is no errno (or in addition to it).
    public var detail: String?
    public var hint: String?

    public init(_ step: String, errno: Int32? = nil, detail: String? = nil, hint: String? = nil) {
        self.step = step
        self.errno = errno
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = step
        if let errno { text += ": " + RuntimeError.errnoText(errno) }
        if let detail { text += ": " + detail }
        if let hint { text += " (\(hint))" }
        return text
    }

    /// The errno's text in lower case, as messages are written ("no such file or directory").
    public static func errnoText(_ code: Int32) -> String {
        Errno.text(code).lowercased()
    }
}

extension RuntimeError {
    /// A failed call of the Linux layer as a runtime step's failure: its action is the step.
    public init(_ error: SystemCallError) {
        self.init(error.action, errno: error.code)
    }
}

/// Runs calls of the Linux layer (`LinuxSystem`), their failure thrown as the runtime's.
func linux<T>(_ body: () throws(SystemCallError) -> T) throws(RuntimeError) -> T {
    do {
        return try body()
    } catch {
        throw RuntimeError(error)
    }
}

extension RuntimeError: FailureDescribing {
    /// A refused system call is the host's (EAGAIN and EBUSY pass); a step that failed without one is the spec's.
    public var failure: Failure {
        let handling: Failure.Handling = errno.map { [EAGAIN, EBUSY, EINTR].contains($0) ? .retry : .fixHost } ?? .fixInput
        let cause = [errno.map(RuntimeError.errnoText), detail].compactMap { $0 }.joined(separator: ": ")
        return Failure(action: step, cause: cause.isEmpty ? "failed" : cause, hint: hint, handling: handling)
    }
}
