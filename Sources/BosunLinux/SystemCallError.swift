import Glibc
public import BosunFailure

/// A system call that failed: what was being done (the call as a verb, or a whole action such as
/// ``mount `proc` on `/…/rootfs/proc` ``), on which path, and the errno.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call as a verb: `open`, `write`, `rename a to`; or the whole action when `path` is empty.
    public var call: String
    /// The path acted on; empty when `call` names its object itself.
    public var path: String
    public var code: Int32

    public init(_ call: String, _ path: String, _ code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// A failure of `action`, which names its object itself.
    public init(action: String, code: Int32) {
        self.init(action, "", code)
    }

    /// The call and its path: "write /var/lib/bosun/inventory.json.tmp".
    public var action: String { path.isEmpty ? call : "\(call) \(path)" }

    /// "write /var/lib/bosun/inventory.json.tmp: no space left on device".
    public var description: String { "\(action): \(Errno.lowercased(code))" }
}

extension SystemCallError: FailureDescribing {
    /// EINTR, EAGAIN and EBUSY may pass; anything else is the host's.
    public var failure: Failure {
        Failure(action: call, object: path.isEmpty ? nil : path, cause: Errno.lowercased(code),
                handling: [EAGAIN, EBUSY, EINTR].contains(code) ? .retry : .fixHost)
    }
}
