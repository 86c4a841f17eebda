public import BosunFailure

/// An error of the network layer: a code saying how to handle it, a message naming the action and the
/// object, the underlying cause and a hint.
public struct NetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, and so how a caller should handle it.
    public enum Code: String, Sendable, Hashable {
        /// The request or configuration is wrong: fix the manifest (stall).
        case invalidConfig
        /// No subnet or address is free (stall until something is released).
        case exhausted
        /// The kernel refused a netlink request (retry may help).
        case netlink
        /// libnftables refused a ruleset (a bug or a kernel without nftables).
        case nftables
        /// A system call failed (retry may help).
        case system
        /// The object does not exist (usually ignorable on removal).
        case notFound
        /// State on disk is unreadable.
        case state
    }

    public var code: Code
    public var message: String
    /// The errno from the kernel, if any.
    public var errno: Int32?
    public var hint: String?

    public init(_ code: Code, _ message: String, errno: Int32? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.hint = hint
    }

    public var description: String {
        var text = message
        if let errno { text += ": \(errnoName(errno))" }
        if let hint { text += " (\(hint))" }
        return text
    }
}

func errnoName(_ code: Int32) -> String {
    switch code {
    case 1: return "operation not permitted (EPERM)"
    case 2: return "no such file or directory (ENOENT)"
    case 13: return "permission denied (EACCES)"
    case 16: return "device or resource busy (EBUSY)"
    case 17: return "file exists (EEXIST)"
    case 19: return "no such device (ENODEV)"
    case 22: return "invalid argument (EINVAL)"
    case 95: return "operation not supported (EOPNOTSUPP)"
    case 99: return "cannot assign requested address (EADDRNOTAVAIL)"
    default: return "errno \(code)"
    }
}

extension NetworkError: FailureDescribing {
    public var failure: Failure {
        let handling: Failure.Handling
        switch code {
        case .invalidConfig, .exhausted: handling = .fixInput
        case .netlink, .system, .notFound: handling = .retry
        case .nftables, .state: handling = .fixHost
        }
        return Failure(action: message, cause: errno.map(errnoName) ?? "failed", hint: hint, handling: handling)
    }
}
