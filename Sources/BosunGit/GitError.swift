public import BosunFailure

/// Why a git operation failed: what was attempted, on which object, libgit2's cause and a hint.
///
/// Messages are lower case without a trailing period, and never contain credentials: URLs are shown
/// without user information and configured secrets are masked in libgit2's messages.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that decide how to react (retry, stall, alert).
    public enum Code: Sendable, Equatable {
        /// The URL could not be parsed or uses an unsupported scheme.
        case invalidURL
        /// The local mirror could not be created or opened.
        case mirror
        /// Talking to the remote failed (network, protocol, server error).
        case fetch
        /// The server rejected the credentials or asked for some that are not configured.
        case authentication
        /// An ssh host key is unknown or does not match the trusted one.
        case hostKey
        /// A TLS certificate could not be verified.
        case certificate
        /// A ref, commit or path was not found.
        case notFound
        /// The new commit does not descend from the last applied one.
        case rewind
        /// Reading objects from the mirror failed.
        case read
        /// A configuration value (key file, known_hosts, CA bundle) is invalid.
        case configuration
    }

    public var code: Code
    /// What was attempted, e.g. `fetch`, `resolve ref main in`.
    public var action: String
    /// The object acted on, e.g. a URL without credentials or a ref.
    public var object: String
    /// The underlying cause, usually libgit2's message.
    public var cause: String
    /// How the problem may be remedied, or nil.
    public var hint: String?

    public init(code: Code, action: String, object: String, cause: String, hint: String? = nil) {
        self.code = code
        self.action = action
        self.object = object
        self.cause = cause
        self.hint = hint
    }

    public var description: String {
        var text = object.isEmpty ? "\(action): \(cause)" : "\(action) \(object): \(cause)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

extension GitError: FailureDescribing {
    /// Talking to the remote may work later; a refused credential, an unknown host key, a missing ref or a rewind
    /// needs someone; a mirror that cannot be written or read is the host's.
    public var failure: Failure {
        let handling: Failure.Handling
        switch code {
        case .fetch: handling = .retry
        case .mirror, .read: handling = .fixHost
        case .invalidURL, .authentication, .hostKey, .certificate, .notFound, .rewind, .configuration: handling = .fixInput
        }
        return Failure(action: action, object: object.isEmpty ? nil : object, cause: cause, hint: hint, handling: handling)
    }
}
