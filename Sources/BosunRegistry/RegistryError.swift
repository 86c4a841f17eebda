public import BosunFailure

/// A failed registry operation. The message names the action, the object (a reference, a registry or a blob),
/// what went wrong, the HTTP status when there was one, and a hint — and never a credential.
///
/// `pull localhost:5000/app:1: manifest unknown (404); check the tag exists`
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, and so how a caller should handle it.
    public enum Code: String, Sendable, Hashable {
        case manifestUnknown, blobUnknown, unauthorized, denied, tooManyRequests, serverError, unexpectedStatus
        case network, tls, digestMismatch, invalidManifest, platformNotFound, tooLarge, configuration, storage, cancelled

        /// Whether trying again later may succeed without anyone changing anything.
        public var isTransient: Bool {
            switch self {
            case .tooManyRequests, .serverError, .network: return true
            default: return false
            }
        }
    }

    public var code: Code
    /// The action, e.g. `pull`.
    public var action: String
    /// What the action was applied to, e.g. `localhost:5000/app:1`.
    public var object: String
    /// What went wrong, lower case.
    public var reason: String
    public var status: Int?
    public var hint: String?

    public init(_ code: Code, action: String = "pull", object: String, reason: String, status: Int? = nil, hint: String? = nil) {
        self.code = code
        self.action = action
        self.object = object
        self.reason = reason
        self.status = status
        self.hint = hint
    }

    public var description: String {
        var out = "\(action) \(object): \(reason)"
        if let status { out += " (\(status))" }
        if let hint { out += "; \(hint)" }
        return out
    }

    /// `error` as a `RegistryError`: itself, or a cancellation or unexpected failure of `action` on `object`.
    static func wrapping(_ error: any Error, object: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if error is CancellationError { return RegistryError(.cancelled, object: object, reason: "cancelled") }
        return RegistryError(.network, object: object, reason: "\(error)")
    }

    /// The same error about another object (a blob failure reported against the image being pulled).
    func about(_ object: String) -> RegistryError {
        var copy = self
        copy.object = object
        return copy
    }
}

extension RegistryError: FailureDescribing {
    public var failure: Failure {
        let handling: Failure.Handling
        switch code {
        case _ where code.isTransient: handling = .retry
        case .storage, .cancelled: handling = code == .cancelled ? .retry : .fixHost
        default: handling = .fixInput
        }
        return Failure(action: action, object: object, cause: reason + (status.map { " (\($0))" } ?? ""), hint: hint, handling: handling)
    }
}
