public import BosunModel

/// What the convergence cycle asks the journal on every run, kept small: the last commit applied from each
/// repository (the rewind guard's anchor) and the source the state directory belongs to. A cache of the
/// journal, not a second truth: it names the record it is current up to (`head`), and the journal replays the
/// records after it — or rebuilds it from every segment when that record is not what the journal holds.
public struct AppliedIndex: Sendable, Hashable, Codable {
    /// The commit last applied from one repository.
    public struct Applied: Sendable, Hashable, Codable {
        public var commitID: String
        /// The begin record of that convergence.
        public var seq: Int64
        enum CodingKeys: String, CodingKey { case commitID = "commit_id", seq }
    }

    /// The index format; another value is rebuilt.
    public var version = 1
    /// The journal record the index is current up to.
    public var head: JournalHead?
    /// By `SourceOrigin.repositoryKey`: the commit of the last convergence that ended converged, partially
    /// failed or with nothing to do.
    public var lastApplied: [String: Applied] = [:]
    /// The source of the last convergence that acted on the host (every outcome but rejected); nil before any,
    /// or when only convergences of a bosun that did not record sources are known for a directory.
    public var owner: SourceOrigin?
    /// The begin being read: its seq and what it says about the source.
    var pending: Pending?

    struct Pending: Sendable, Hashable, Codable {
        var seq: Int64
        var origin: SourceOrigin?
        var commitID: String?
    }

    enum CodingKeys: String, CodingKey { case version, head, lastApplied = "last_applied", owner, pending }

    public init() {}

    /// The commit last applied from `origin`'s repository.
    public func lastApplied(from origin: SourceOrigin) -> String? {
        origin.isRepository ? lastApplied[origin.repositoryKey]?.commitID : nil
    }

    /// Takes one record in (records must come in journal order).
    public mutating func note(_ record: JournalRecord) {
        head = JournalHead(seq: record.seq, hash: record.hash)
        switch record.kind {
        case .begin:
            let source = record.body["source"]
            var origin = (try? record.body["origin"]?.decode(SourceOrigin.self)) ?? nil
            if origin == nil, let url = source?["repository_url"]?.stringValue {
                origin = SourceOrigin(location: url, path: nil, isRepository: true)  // recorded before origins were
            }
            pending = Pending(seq: record.seq, origin: origin, commitID: source?["commit_id"]?.stringValue)
        case .end:
            guard let pending, record.body["begin_seq"]?.intValue == pending.seq,
                  let outcome = record.body["outcome"]?.stringValue.flatMap(ConvergenceOutcome.init(rawValue:)) else { return }
            self.pending = nil
            guard outcome != .rejected, let origin = pending.origin else { return }
            owner = origin
            if [.converged, .partiallyFailed, .noChange].contains(outcome), origin.isRepository, let commit = pending.commitID {
                lastApplied[origin.repositoryKey] = Applied(commitID: commit, seq: pending.seq)
            }
        default: break
        }
    }

    /// The index stored as `bytes`; nil when they are not one, or one of another format (then it is rebuilt).
    static func decoded(_ bytes: [UInt8]) -> AppliedIndex? {
        guard let index = JSONValue.parse(bytes).flatMap({ try? $0.decode(AppliedIndex.self) }), index.version == AppliedIndex().version else {
            return nil
        }
        return index
    }
}
