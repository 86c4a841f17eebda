import ArgumentParser
import BosunJournal
import BosunJournalFiles
import Foundation
import BosunRuntimeCLI

/// `bosun journal`: checks of the journal file itself, its signing key and exports.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Check the journal's hash chain and signatures; print the host's journal key; export the journal.",
        subcommands: [JournalVerifyCommand.self, JournalKeyCommand.self, JournalExportCommand.self, JournalStressCommand.self])
}

/// `bosun journal verify`: exit 0 when the chain (and, with a key, every signature) holds, 1 with the first bad
/// record otherwise.
struct JournalVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify every record's hash, link and signature; name the first bad record.",
        discussion: """
            Without --file, the state directory's journal, its signatures checked with the host's own journal key. \
            With --file, an export (bosun journal export) on any machine: --key names the key to trust (its \
            `bosun-journal-ed25519 …` text, or its SHA256: fingerprint, which must be the export's). --head SEQ:HASH is a \
            head taken earlier elsewhere (an auditor's, the fleet's): a chain rewritten and re-signed with the host's own \
            key, or cut short, no longer contains it. Exit codes: 0 intact, 1 damaged, edited or not signed by the key, \
            3 no journal to read.
            """)

    @OptionGroup var state: StateOptions
    @Option(name: .long, help: ArgumentHelp("An export file to verify instead of the state directory's journal.", valueName: "file"))
    var file: String?
    @Option(name: .long, help: ArgumentHelp("The journal public key to trust, or its SHA256: fingerprint.", valueName: "key"))
    var key: String?
    @Option(name: .long, help: ArgumentHelp("A head seen earlier: the record SEQ must be in the chain with this hash.", valueName: "seq:hash"))
    var head: String?

    func run() async throws {
        let segments: [(name: String, bytes: [UInt8])]
        var storedHead: JournalHead?
        var anchor: (seq: Int64, previous: String)?
        var exported: JournalPublicKey?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure(.sourceUnavailable, "cannot read \(file)") }
            guard let export = JournalExport(bytes: Array(data)) else { throw CommandFailure(.checkFailed, "\(file) is not a bosun journal export") }
            segments = [(file, export.records)]
            storedHead = export.header.head
            exported = export.header.publicKey.flatMap(JournalPublicKey.init(text:))
            if export.header.since > 1, let newline = export.records.firstIndex(of: 0x0A),
               let first = try? JournalRecord.parse(line: export.records[..<newline], body: false) {
                anchor = (first.seq, first.previous)
            }
        } else {
            let storage = try state.existingJournal()
            segments = try state.readSegments(storage)
            storedHead = storage.readHead()
            do { exported = try HostIdentity.existingSigningKey(stateDirectory: state.resolvedStateDir)?.publicKey } catch {
                throw CommandFailure(.checkFailed, "the journal key cannot be read: \(error); signatures cannot be checked")
            }
        }
        let result = ChainVerifier().verify(segments: segments, head: storedHead, from: anchor)
        if let torn = result.tornTail { FileHandle.standardError.write(Data("bosun: warning: \(torn)\n".utf8)) }
        if let problem = result.problem { throw CommandFailure(.checkFailed, "journal damaged at \(problem)") }
        let records = segments.flatMap { JournalRecord.records(in: $0.bytes, bodies: JournalPublicKey.signedKinds.contains) }
        var line = "journal intact: \(result.records) record\(result.records == 1 ? "" : "s")"
            + (anchor.map { " from \($0.seq) (anchored at its previous hash \($0.previous.prefix(19))…)" } ?? " in \(result.segments) segment\(result.segments == 1 ? "" : "s")")
        if let last = result.lastRecord { line += ", last \(last.seq) at \(last.time) (\(last.hash.prefix(19))…)" }
        print(line)
        if let head { try checkHead(head, records: records) }
        guard let trusted = try trustedKey(exported: exported) else {
            if file != nil { throw CommandFailure(.usage, "--key: name the journal key to trust (bosun journal key on the host prints it)") }
            print("signatures: not checked (this state directory has no journal key)")
            return
        }
        let report = JournalSignatureCheck(key: trusted).check(records)
        if let problem = report.problem { throw CommandFailure(.checkFailed, "journal signature: \(problem)") }
        var signatures = "signatures: \(report.signed) record\(report.signed == 1 ? "" : "s") signed by \(trusted.fingerprint)"
        if let unsigned = report.unsignedUpTo { signatures += "; unsigned up to seq \(unsigned) (written before journal signing)" }
        if let last = report.lastSigned, let end = records.last?.seq, end > last {
            signatures += "; records \(last + 1)-\(end) are after the last signed one (a convergence in progress, or later notes): compare a head with --head"
        }
        print(signatures)
    }

    /// The key `--key` names (the export's when it gives its fingerprint); without `--key`, the host's own.
    func trustedKey(exported: JournalPublicKey?) throws -> JournalPublicKey? {
        guard let key else { return file == nil ? exported : nil }
        if key.hasPrefix("SHA256:") {
            guard let exported, exported.fingerprint == key else {
                throw CommandFailure(.checkFailed, "the export's journal key is \(exported?.fingerprint ?? "absent"), not \(key)")
            }
            return exported
        }
        let text = FileManager.default.contents(atPath: key).map { String(decoding: $0, as: UTF8.self) } ?? key
        guard let parsed = JournalPublicKey(text: text) else { throw CommandFailure(.usage, "--key: not a journal public key or fingerprint: \(key)") }
        return parsed
    }

    func checkHead(_ text: String, records: [JournalRecord]) throws {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let seq = Int64(parts[0]) else { throw CommandFailure(.usage, "--head: give SEQ:HASH, e.g. 42:sha256:…") }
        let hash = String(parts[1])
        guard let record = records.first(where: { $0.seq == seq }) else {
            let last = records.last?.seq ?? 0
            throw CommandFailure(.checkFailed, seq > last ? "the journal ends at record \(last), before the head \(seq) seen elsewhere: its tail was cut"
                                                : "record \(seq) is not in this journal (it starts later)")
        }
        guard record.hash == hash else {
            throw CommandFailure(.checkFailed, "record \(seq) has hash \(record.hash), not \(hash) as seen elsewhere: the chain was rewritten")
        }
        print("head \(seq) matches the one seen elsewhere")
    }
}

/// `bosun journal key`: the host's journal public key and its fingerprint.
struct JournalKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Print the host's journal public key and its fingerprint (created at the first convergence).")

    @OptionGroup var state: StateOptions

    func run() async throws {
        guard let key = try? HostIdentity.existingSigningKey(stateDirectory: state.resolvedStateDir) else {
            throw CommandFailure(.sourceUnavailable, "no journal key in \(state.resolvedStateDir) (nothing has been converged with this state directory)")
        }
        print(key.publicKey.text)
        print(key.publicKey.fingerprint)
    }
}

/// `bosun journal export`: the records and the public key as one file, for `journal verify --file` elsewhere.
struct JournalExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the journal's records and the host's journal public key as one file.")

    @OptionGroup var state: StateOptions
    @Option(name: .long, help: ArgumentHelp("The first record to export (default 1).", valueName: "seq"))
    var since: Int64 = 1
    @Option(name: [.short, .long], help: ArgumentHelp("Where to write (default: standard output).", valueName: "file"))
    var output: String?

    func run() async throws {
        let storage = try state.existingJournal()
        let key = (try? HostIdentity.existingSigningKey(stateDirectory: state.resolvedStateDir))?.publicKey
        let export: JournalExport
        do {
            export = try JournalExport.make(segments: try state.readSegments(storage).map(\.bytes), since: max(1, since), publicKey: key,
                                            head: storage.readHead())
        } catch {
            throw CommandFailure(.checkFailed, "the journal has a damaged record (\(error)): bosun journal verify names it; nothing exported")
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(export.bytes)) else {
                throw CommandFailure(.internalError, "cannot write \(output)")
            }
        } else {
            FileHandle.standardOutput.write(Data(export.bytes))
        }
    }
}
