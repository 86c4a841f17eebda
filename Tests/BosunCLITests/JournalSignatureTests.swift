import BosunJournal
import BosunModel
import Foundation
import Testing

/// The signed journal (issue 21): the host's key signs every end and the genesis; an export carries the
/// records and the public key; `journal verify --file --key` checks chain and signatures on another machine,
/// and catches a chain recomputed with another key; `--head` catches one re-signed with the host's own key.
@Suite("bosun journal: signatures and exports")
struct JournalSignatureTests {
    /// A state directory with a signed journal of `records` synthetic records.
    static func signedJournal(records: Int = 40) throws -> String {
        let state = try BosunBinary.temporaryDirectory()
        let made = try BosunBinary.run(["journal", "stress", "--directory", state + "/journal", "--records", String(records), "--services", "3",
                                        "--key-file", state + "/journal-key"])
        try #require(made.status == 0, "\(made.stderr)")
        return state
    }

    /// The export's records re-chained into a new journal signed by `key`, with the outcome of the end at `seq`
    /// changed: what someone with root would write to hide a failure.
    static func rewritten(_ export: JournalExport, key: JournalSigningKey?, changing seq: Int64) throws -> JournalExport {
        let records = JournalRecord.records(in: export.records)
        let storage = InMemoryJournalStorage()
        var time: Int64 = 1_800_000_000_000
        let journal = Journal(storage: storage, clock: { time += 1; return time },
                              genesis: JournalGenesis(hostID: "stress", hostname: "stress", bosunVersion: "x"))
        journal.signingKey = key
        try journal.open()
        for record in records.dropFirst() {
            guard case .object(var fields) = record.body else { continue }
            fields["signature"] = nil
            if record.seq == seq { fields["outcome"] = .string("converged") }
            try journal.append(record.kind, .object(fields))
        }
        let segments = try storage.segmentNames().map { try storage.read($0) }
        return try JournalExport.make(segments: segments, since: 1, publicKey: key?.publicKey, head: storage.readHead())
    }

    @Test("journal key, verify with the host's key, export, verify --file --key (text or fingerprint) on another machine")
    func exportAndVerify() throws {
        let state = try Self.signedJournal()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let key = try BosunBinary.run(["journal", "key", "--state-dir", state]).stdout.split(separator: "\n").map(String.init)
        try #require(key.count == 2 && key[0].hasPrefix("bosun-journal-ed25519 ") && key[1].hasPrefix("SHA256:"), "\(key)")
        let local = try BosunBinary.run(["journal", "verify", "--state-dir", state])
        #expect(local.status == 0 && local.stdout.contains("signatures: 21 records signed by \(key[1])"), "\(local.stdout)\(local.stderr)")
        let file = state + "/export.jsonl"
        #expect(try BosunBinary.run(["journal", "export", "--state-dir", state, "-o", file]).status == 0)
        let other = try BosunBinary.temporaryDirectory()  // "another machine": no state directory involved
        defer { try? FileManager.default.removeItem(atPath: other) }
        for trusted in [key[0], key[1]] {
            let verified = try BosunBinary.run(["journal", "verify", "--file", file, "--key", trusted, "--state-dir", other])
            #expect(verified.status == 0 && verified.stdout.contains("journal intact: 41 records"), "\(verified.stdout)\(verified.stderr)")
        }
        let since = try BosunBinary.run(["journal", "export", "--state-dir", state, "--since", "21", "-o", state + "/tail.jsonl"])
        #expect(since.status == 0)
        let tail = try BosunBinary.run(["journal", "verify", "--file", state + "/tail.jsonl", "--key", key[1], "--state-dir", other])
        #expect(tail.status == 0 && tail.stdout.contains("from 21"), "\(tail.stdout)\(tail.stderr)")
    }

    @Test("a chain recomputed and signed with another key fails against the published key; one re-signed with the host's own key is caught by --head")
    func rewrittenChains() throws {
        let state = try Self.signedJournal()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let published = try BosunBinary.run(["journal", "key", "--state-dir", state]).stdout.split(separator: "\n").map(String.init)
        let file = state + "/export.jsonl"
        #expect(try BosunBinary.run(["journal", "export", "--state-dir", state, "-o", file]).status == 0)
        let export = try #require(JournalExport(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file)))))
        let head = try #require(JournalRecord.records(in: export.records).last)

        let foreign = try Self.rewritten(export, key: JournalSigningKey.generate(), changing: 14)
        try Data(foreign.bytes).write(to: URL(fileURLWithPath: state + "/foreign.jsonl"))
        let byFingerprint = try BosunBinary.run(["journal", "verify", "--file", state + "/foreign.jsonl", "--key", published[1], "--state-dir", state])
        #expect(byFingerprint.status == 1 && byFingerprint.stderr.contains("not \(published[1])"), "\(byFingerprint.stderr)")
        let byKey = try BosunBinary.run(["journal", "verify", "--file", state + "/foreign.jsonl", "--key", published[0], "--state-dir", state])
        #expect(byKey.status == 1 && byKey.stderr.contains("signed by key") && byKey.stderr.contains("not \(published[1])"), "\(byKey.stderr)")

        // Signatures stripped and the chain recomputed: nothing is signed by the published key, which is a failure.
        let stripped = try Self.rewritten(export, key: nil, changing: 14)
        try Data(stripped.bytes).write(to: URL(fileURLWithPath: state + "/stripped.jsonl"))
        let strippedVerify = try BosunBinary.run(["journal", "verify", "--file", state + "/stripped.jsonl", "--key", published[0], "--state-dir", state])
        #expect(strippedVerify.status == 1 && strippedVerify.stderr.contains("no record is signed by"), "\(strippedVerify.stderr)")

        let own = try #require(JournalSigningKey(raw: Array(try Data(contentsOf: URL(fileURLWithPath: state + "/journal-key")))))
        let resigned = try Self.rewritten(export, key: own, changing: 14)
        try Data(resigned.bytes).write(to: URL(fileURLWithPath: state + "/resigned.jsonl"))
        let signaturesHold = try BosunBinary.run(["journal", "verify", "--file", state + "/resigned.jsonl", "--key", published[1], "--state-dir", state])
        #expect(signaturesHold.status == 0, "root can re-sign with the host's key: \(signaturesHold.stderr)")
        let withHead = try BosunBinary.run(["journal", "verify", "--file", state + "/resigned.jsonl", "--key", published[1],
                                            "--head", "\(head.seq):\(head.hash)", "--state-dir", state])
        #expect(withHead.status == 1 && withHead.stderr.contains("the chain was rewritten"), "\(withHead.stdout)\(withHead.stderr)")
        let original = try BosunBinary.run(["journal", "verify", "--file", file, "--key", published[1], "--head", "\(head.seq):\(head.hash)", "--state-dir", state])
        #expect(original.status == 0 && original.stdout.contains("head \(head.seq) matches"), "\(original.stderr)")
        let cut = try JournalExport.make(segments: [export.records], since: 1, publicKey: nil, head: nil)
        let truncated = JournalExport(header: cut.header, records: cut.records.split(separator: 0x0A).dropLast(3).flatMap { Array($0) + [0x0A] })
        try Data(truncated.bytes).write(to: URL(fileURLWithPath: state + "/cut.jsonl"))
        let cutVerify = try BosunBinary.run(["journal", "verify", "--file", state + "/cut.jsonl", "--key", published[0], "--head", "\(head.seq):\(head.hash)",
                                             "--state-dir", state])
        #expect(cutVerify.status == 1 && cutVerify.stderr.contains("its tail was cut"), "\(cutVerify.stderr)")
    }
}
