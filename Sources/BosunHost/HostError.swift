import Foundation
import BosunLinux

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

    public var description: String { "\(action): \(cause)" + (hint.map { " (hint: \($0))" } ?? "") }
}
