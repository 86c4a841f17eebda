import BosunModel
import Foundation

/// `bosun journal export`'s file: a header line — the format, the host's journal public key and its
/// fingerprint, the first seq and the head at export time — then the records' lines exactly as the journal
/// holds them, so an auditor verifies the chain and the signatures on another machine with no state directory.
public struct JournalExport: Sendable {
    public struct Header: Sendable, Hashable, Codable {
        public var format = 1
        public var publicKey: String?
        public var fingerprint: String?
        public var since: Int64
        public var head: JournalHead?

        public init(publicKey: JournalPublicKey?, since: Int64, head: JournalHead?) {
            self.publicKey = publicKey?.text
            fingerprint = publicKey?.fingerprint
            self.since = since
            self.head = head
        }

        enum CodingKeys: String, CodingKey { case format = "bosun_journal_export", publicKey = "public_key", fingerprint, since, head }
    }

    public var header: Header
    /// The record lines, newline-terminated.
    public var records: [UInt8]

    public init(header: Header, records: [UInt8]) {
        self.header = header
        self.records = records
    }

    /// The export of `segments` (journal order) from record `since` on.
    /// Throws on a damaged line: an export never starts or goes on past damage (`journal verify` names it).
    public static func make(segments: [[UInt8]], since: Int64, publicKey: JournalPublicKey?, head: JournalHead?) throws -> JournalExport {
        var lines: [UInt8] = []
        for bytes in segments {
            var start = 0
            while start < bytes.count, let end = bytes[start...].firstIndex(of: 0x0A) {
                let line = bytes[start..<end]
                let record = try JournalRecord.parse(line: line, body: false)
                if record.seq >= since { lines += line + [0x0A] }
                start = end + 1
            }
        }
        return JournalExport(header: Header(publicKey: publicKey, since: since, head: head), records: lines)
    }

    /// The file's bytes.
    public var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(header)) ?? Data()) + [0x0A] + records
    }

    /// Reads an export file; nil when its first line is not an export header.
    public init?(bytes: [UInt8]) {
        guard let newline = bytes.firstIndex(of: 0x0A),
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[..<newline])), header.format == 1 else { return nil }
        self.header = header
        records = Array(bytes[(newline + 1)...])
    }
}
