/// Where and how the journal's chain is broken.
public struct JournalProblem: Sendable, Hashable, CustomStringConvertible {
    public var segment: String
    /// 1-based line in the segment.
    public var line: Int
    /// The sequence number the record should have had.
    public var expectedSeq: Int64
    public var message: String

    public var description: String { "\(segment):\(line): record \(expectedSeq): \(message)" }
}

/// The result of checking a whole journal.
public struct JournalVerification: Sendable {
    public var records: Int64
    public var segments: Int
    public var lastHash: String?
    /// The newest whole record.
    public var lastRecord: JournalRecord?
    /// The first problem found; nil when the chain is intact.
    public var problem: JournalProblem?
    /// A torn last line (a crash while appending), which the writer cuts on its next start.
    public var tornTail: JournalProblem?
    public var isIntact: Bool { problem == nil }
}

/// Checks a journal's records one by one: canonical form, own hash, sequence and link to the previous record,
/// across segments, and against the head file so a cut-off tail is noticed too.
public struct ChainVerifier {
    public init() {}

    /// Verifies segments given in journal order. A last line without its newline is a torn tail, not a problem,
    /// unless `tornTailIsProblem`.
    /// `from` verifies an export that starts after the genesis: its first record's seq and previous hash are
    /// taken as the anchor.
    public func verify(segments: [(name: String, bytes: [UInt8])], head: JournalHead?, tornTailIsProblem: Bool = false,
                       from: (seq: Int64, previous: String)? = nil) -> JournalVerification {
        var result = JournalVerification(records: 0, segments: segments.count)
        var expectedSeq: Int64 = from?.seq ?? 1
        var previous = from?.previous ?? JournalRecord.genesisPrevious
        segmentLoop: for (segmentIndex, segment) in segments.enumerated() {
            let isLastSegment = segmentIndex == segments.count - 1
            var lineNumber = 0
            var start = 0
            let bytes = segment.bytes
            while start < bytes.count {
                lineNumber += 1
                let end = bytes[start...].firstIndex(of: 0x0A)
                let lineBytes = bytes[start..<(end ?? bytes.count)]
                let problemHere = { (message: String) in
                    JournalProblem(segment: segment.name, line: lineNumber, expectedSeq: expectedSeq, message: message)
                }
                if end == nil {
                    let torn = problemHere("incomplete last line of \(lineBytes.count) bytes (a crash while appending; the agent cuts it on start)")
                    if isLastSegment && !tornTailIsProblem {
                        result.tornTail = torn
                        break segmentLoop
                    }
                    result.problem = torn
                    return result
                }
                let record: JournalRecord
                do { record = try JournalRecord.parse(line: lineBytes, body: false) } catch {
                    result.problem = problemHere(error.description)
                    return result
                }
                if record.seq != expectedSeq {
                    result.problem = problemHere("found sequence \(record.seq) (a record was deleted, duplicated or reordered)")
                    return result
                }
                if record.previous != previous {
                    result.problem = problemHere("its previous-record hash does not match record \(expectedSeq - 1) (a record was replaced, reordered or spliced in)")
                    return result
                }
                if (expectedSeq == 1) != (record.kind == .genesis) {
                    result.problem = problemHere(expectedSeq == 1 ? "the first record is \(record.kind.rawValue), not genesis" : "a second genesis record")
                    return result
                }
                previous = record.hash
                result.lastRecord = record
                expectedSeq += 1
                result.records += 1
                start = end! + 1
            }
        }
        result.lastHash = result.records > 0 ? previous : nil
        let lastSeq = expectedSeq - 1
        if let head, head.seq > lastSeq || (head.seq == lastSeq && head.hash != previous && result.records > 0) {
            let lastSegment = segments.last?.name ?? JournalSegmentName.name(1)
            let lines = segments.last.map { $0.bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } } ?? 0
            result.tornTail = nil
            result.problem = JournalProblem(segment: lastSegment, line: lines + 1, expectedSeq: lastSeq + 1,
                message: "the journal ends at record \(lastSeq) but its head file names record \(head.seq) (records were cut off the end)")
        }
        return result
    }
}
