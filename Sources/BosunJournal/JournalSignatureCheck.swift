/// Checks the signatures a journal's records carry against one public key (`bosun journal verify --key`): every
/// `end` and the `genesis` from the first signed one on must be signed by it; records written before signing
/// existed are reported as "unsigned up to seq N", never as verified.
public struct JournalSignatureCheck: Sendable {
    public var key: JournalPublicKey

    public init(key: JournalPublicKey) { self.key = key }

    /// What the check found.
    public struct Report: Sendable, Hashable {
        /// Records whose signature the key verified.
        public var signed = 0
        /// The last seq of the leading records that carry no signature (written before journal signing).
        public var unsignedUpTo: Int64?
        /// The first record that fails, and why; nil when every signature holds.
        public var problem: String?
        /// The last signed record: the records after it (a `begin` in progress, later notes) are in the chain but
        /// not yet covered by a signature.
        public var lastSigned: Int64?
    }

    /// Checks `records` (their bodies parsed), in journal order.
    public func check(_ records: [JournalRecord]) -> Report {
        var report = Report()
        for record in records where JournalPublicKey.signedKinds.contains(record.kind) {
            switch key.verify(record) {
            case nil:
                guard report.signed == 0 else {
                    report.problem = "record \(record.seq) (\(record.kind.rawValue)) carries no signature, though earlier records are signed: it was rewritten"
                    return report
                }
                report.unsignedUpTo = record.seq
            case false?:
                let other = record.body["signature"]?["key"]?.stringValue
                report.problem = "record \(record.seq) (\(record.kind.rawValue)): " + (other != nil && other != key.fingerprint
                    ? "signed by key \(other!), not \(key.fingerprint)" : "its signature by \(key.fingerprint) does not match it (the record or the chain before it was changed)")
                return report
            case true?:
                report.signed += 1
                report.lastSigned = record.seq
            }
        }
        // A journal whose signed kinds carry no signature at all proves nothing about the key: signatures stripped
        // and the hashes recomputed look exactly so.
        if report.signed == 0 {
            report.problem = report.unsignedUpTo == nil ? "no record to check a signature on"
                : "no record is signed by \(key.fingerprint) (unsigned up to seq \(report.unsignedUpTo!)): nothing here proves the key wrote it"
        }
        return report
    }
}
