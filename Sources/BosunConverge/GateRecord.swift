/// The body of a `gate` record: the health gate of each container a convergence created or recreated,
/// written between its `begin` and its `end` (docs/journal-format.md).
public struct GateRecord: Sendable, Hashable, Codable {
    public var beginSeq: Int64
    public var results: [GateResult]

    public init(beginSeq: Int64, results: [GateResult]) {
        self.beginSeq = beginSeq
        self.results = results
    }

    enum CodingKeys: String, CodingKey { case beginSeq = "begin_seq", results }

    /// The end record's reason when a gate failed: "health gate failed: shop/web (healthy): its health check
    /// failed 3 times in a row"; nil when every gate passed.
    public static func failureReason(_ results: [GateResult]) -> String? {
        let failed = results.filter { !$0.passed }
        guard !failed.isEmpty else { return nil }
        return "health gate failed: " + failed.map(\.verdict).joined(separator: "; ")
    }
}
