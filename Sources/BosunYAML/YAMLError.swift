public import BosunFailure

/// A YAML stream that could not be read: a syntax error, a duplicate key, an unknown alias.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    /// Where the problem was found.
    public var mark: YAMLMark
    /// What is wrong, lower case.
    public var message: String
    /// A second position that explains the first, e.g. where a duplicated key was first defined.
    public var related: YAMLMark?

    public init(mark: YAMLMark, message: String, related: YAMLMark? = nil) {
        self.mark = mark
        self.message = message
        self.related = related
    }

    public var description: String { "\(mark): \(message)" }
}

extension YAMLError: FailureDescribing {
    public var failure: Failure { Failure(action: "read YAML at", object: "\(mark)", cause: message, handling: .fixInput) }
}
