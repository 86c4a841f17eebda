public import BosunFailure

/// A convergence error: the action, the object, the cause and a hint, in lower case.
public struct ConvergeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var action: String
    public var cause: String
    public var hint: String?

    public init(_ action: String, cause: String, hint: String? = nil) {
        self.action = action
        self.cause = cause
        self.hint = hint
    }

    public var description: String {
        "\(action): \(cause)" + (hint.map { " (hint: \($0))" } ?? "")
    }
}

extension ConvergeError: FailureDescribing {
    /// The next convergence tries again.
    public var failure: Failure { Failure(action: action, cause: cause, hint: hint, handling: .retry) }
}
