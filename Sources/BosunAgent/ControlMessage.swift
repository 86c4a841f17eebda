public import BosunModel

/// A request on the agent's control socket (one JSON object per line).
public struct ControlRequest: Sendable, Hashable, Codable {
    /// `status`, `sync` (poll and converge now), `start` (start stopped containers again), `logs` (a
    /// container's log lines), `ping`.
    public var command: String
    /// `start`: the containers to start.
    public var names: [String]?
    /// `logs`: the container.
    public var name: String?
    /// `logs`: only the last N lines (at most `ControlRequest.maximumLogLines` are answered).
    public var tail: Int?
    /// `logs`: only lines since this time, as `bosun logs --since` takes it (RFC 3339, a date, Unix seconds, `10m`).
    public var since: String?
    /// `logs`: prefix each line of the message with its time.
    public var timestamps: Bool?
    /// `sync`: release every quarantine and converge the desired state in git as it is (`bosun sync --retry`).
    public var retry: Bool?

    /// The most log lines one `logs` answer carries (the last ones; the answer says it was truncated).
    public static let maximumLogLines = 10_000

    public init(command: String, names: [String]? = nil, name: String? = nil, tail: Int? = nil, since: String? = nil, timestamps: Bool? = nil,
                retry: Bool? = nil) {
        self.retry = retry
        self.command = command
        self.names = names
        self.name = name
        self.tail = tail
        self.since = since
        self.timestamps = timestamps
    }
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
