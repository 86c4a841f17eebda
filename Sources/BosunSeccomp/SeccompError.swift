public import BosunFailure

/// Why a `linux.seccomp` policy could not be compiled. `description` names the rule (its index in
/// `linux.seccomp.syscalls` and its first names) and the offending value, lower case, no trailing period.
public struct SeccompError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake the policy holds; all of them are permanent (fix the policy, don't retry).
    public enum Code: String, Sendable, Hashable {
        case unknownAction
        case unknownOperator
        case unknownArchitecture
        case unknownFlag
        case conflictingFlags
        case argumentIndexOutOfRange
        case errnoOutOfRange
        case errnoWithoutErrnoAction
        case notifyWithoutListener
        case notifyAsDefaultAction
        case unsupportedTarget
        case programTooLong
        /// A profile file that is not a seccomp profile (or contradicts itself).
        case invalidProfile
    }

    public let code: Code
    public let message: String
    /// How the policy may be fixed, when there is something useful to say.
    public let hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message) (\($0))" } ?? message }

    /// `seccomp rule 12 (names: clone)` or `seccomp default action`.
    static func subject(rule index: Int?, names: [String]) -> String {
        guard let index else { return "seccomp default action" }
        let shown = names.prefix(3).joined(separator: ", ")
        let more = names.count > 3 ? ", +\(names.count - 3) more" : ""
        return "seccomp rule \(index) (names: \(shown)\(more))"
    }
}

extension SeccompError: FailureDescribing {
    /// A policy that cannot be compiled is refused until it is fixed.
    public var failure: Failure { Failure(action: "compile the seccomp policy", cause: message, hint: hint, handling: .fixInput) }
}
