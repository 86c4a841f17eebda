public import BosunModel

/// A request on the agent's control socket (one JSON object per line).
public struct ControlRequest: Sendable, Hashable, Codable {
    /// `status`, `sync` (poll and converge now), `drift` (compare live state now), `ping`.
    public var command: String
    public init(command: String) { self.command = command }
}

/// The agent's answer: `ok`, a human message and, for `status`, the state as JSON.
public struct ControlResponse: Sendable, Hashable, Codable {
    public var ok: Bool
    public var message: String
    public var body: JSONValue?
    public init(ok: Bool, message: String, body: JSONValue? = nil) {
        self.ok = ok
        self.message = message
        self.body = body
    }
}
