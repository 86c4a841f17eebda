/// One failure as every module of bosun reports it, the leaf of its error model: what was being done, to
/// which object, why, what may fix it, and how it is handled. Each module keeps its own error type (with the
/// codes its callers branch on) and says itself as a `Failure` (`FailureDescribing`); the cycle, the agent's
/// status and the CLI read that one shape. `scripts/check-errors` (make test) fails on a public error type
/// that does not.
public struct Failure: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How a failure is handled: what has to happen before the same action can succeed.
    public enum Handling: String, Sendable, Hashable, Codable, CaseIterable {
        /// Transient (a network, a busy resource): the next poll, retry or restart may succeed as it is.
        case retry
        /// The input is wrong (a manifest, a policy, a flag, a configuration, an image, a commit): it is refused
        /// until someone changes it; retrying the same input fails the same way.
        case fixInput = "fix-input"
        /// The host is wrong (a missing kernel feature, a full or damaged disk, a damaged state file): it fails
        /// until the host is repaired.
        case fixHost = "fix-host"

        /// "retried at the next poll", for messages and status.
        public var explanation: String {
            switch self {
            case .retry: "transient: retried as it is"
            case .fixInput: "refused until the input changes"
            case .fixHost: "fails until the host is repaired"
            }
        }
    }

    /// What was being done, lower case: `pull`, `mount`, `read the agent configuration`.
    public var action: String
    /// The object acted on, as bosun quotes it (a reference, a path, `file:line:column`); nil when the action
    /// names it.
    public var object: String?
    /// Why it failed, lower case, no trailing period.
    public var cause: String
    /// What may fix it, when there is something useful to say.
    public var hint: String?
    public var handling: Handling

    public init(action: String, object: String? = nil, cause: String, hint: String? = nil, handling: Handling) {
        self.action = action
        self.object = object
        self.cause = cause
        self.hint = hint
        self.handling = handling
    }

    /// An error of code bosun does not own (a library's): its text is the cause, retried as transient.
    public init(describing error: any Error, action: String) {
        if let described = error as? any FailureDescribing {
            self = described.failure
        } else {
            self.init(action: action, cause: "\(error)", handling: .retry)
        }
    }

    /// "pull `localhost:5000/app:1`: manifest unknown (hint: check the tag exists)".
    public var description: String {
        var text = action
        if let object, !object.isEmpty { text += action.isEmpty ? object : " " + object }
        text += text.isEmpty ? cause : ": " + cause
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

/// An error that says itself as a `Failure`: every public error type of bosun's modules.
public protocol FailureDescribing: Error {
    var failure: Failure { get }
}
