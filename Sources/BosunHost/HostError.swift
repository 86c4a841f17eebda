import Foundation
public import BosunLinux
public import BosunFailure

/// An error of the host side of convergence (inventory, volumes, probes): the action and object, the cause,
/// and a hint, in lower case.
public struct HostError: Error, Sendable, Hashable, CustomStringConvertible {
    public var action: String
    public var cause: String
    public var hint: String?

    public init(_ action: String, cause: String, hint: String? = nil) {
        self.action = action
        self.cause = cause
        self.hint = hint
    }

    /// An error whose cause is `errno`'s text.
    public init(_ action: String, errno code: Int32, hint: String? = nil) {
        self.init(action, cause: Errno.lowercased(code), hint: hint)
    }

    /// A failed system call: the call and its path as the action, errno's text as the cause.
    public init(_ error: SystemCallError, hint: String? = nil) {
        self.init(error.action, errno: error.code, hint: hint)
    }

    public var description: String { "\(action): \(cause)" + (hint.map { " (hint: \($0))" } ?? "") }
}

extension HostError: FailureDescribing {
    /// The next convergence tries again.
    public var failure: Failure { Failure(action: action, cause: cause, hint: hint, handling: .retry) }
}
