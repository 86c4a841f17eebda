public import BosunFailure

/// A value that does not fit its type (a size, a duration, an image reference, a port); the message says why.
public struct ModelValueError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    package func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}

extension ModelValueError: FailureDescribing {
    public var failure: Failure { Failure(action: "read a value", cause: message, handling: .fixInput) }
}
