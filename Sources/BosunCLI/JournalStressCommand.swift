import ArgumentParser
import BosunJournal
import BosunJournalFiles
import BosunModel
import Foundation

/// `bosun journal stress` (hidden): appends realistic convergences as fast as fsync allows, printing each
/// durable seq — for the crash tests and `make bench`, never for production journals.
struct JournalStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Append synthetic convergences to a scratch journal (tests and benchmarks).",
        shouldDisplay: false)

    @Option(help: "The scratch journal directory (never a real state directory's journal).")
    var directory: String

    @Option(help: "How many records to append (begin and end count one each).")
    var records = 1000

    @Option(help: "Services per synthetic desired state.")
    var services = 20

    @Option(help: "Rotate segments at this many bytes.")
    var segmentBytes = 16 << 20

    @Flag(help: "Print each durable seq on its own line.")
    var printSeq = false

    @Flag(help: "Print append latency figures at the end.")
    var timing = false

    @Option(help: "Sign the ends and the genesis with the journal key in this file (created when missing), as a state directory's journal-key.")
    var keyFile: String?

    func run() async throws {
        let storage = try FileJournalStorage(directory: directory)
        let journal = Journal(storage: storage, clock: { Int64(Date().timeIntervalSince1970 * 1000) },
                              genesis: JournalGenesis(hostID: "stress", hostname: "stress", bosunVersion: BosunVersion.current),
                              maxSegmentBytes: segmentBytes)
        if let keyFile {
            if let data = FileManager.default.contents(atPath: keyFile) {
                guard let key = JournalSigningKey(raw: Array(data)) else { throw ValidationError("\(keyFile) is not a journal key") }
                journal.signingKey = key
            } else {
                let key = JournalSigningKey.generate()
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(key.rawRepresentation), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("cannot write \(keyFile)")
                }
                journal.signingKey = key
            }
        }
        try journal.open()
        let redactor = SecretRedactor(salt: Array("stress-salt".utf8))
        var latencies: [UInt64] = []
        var appended = 0
        var round = 0
        while appended < records {
            round += 1
            let state = SyntheticState.make(services: services, round: round)
            let begin = SyntheticState.begin(state, round: round, redactor: redactor)
            var started = DispatchTime.now().uptimeNanoseconds
            let seq = try journal.begin(begin)
            latencies.append(DispatchTime.now().uptimeNanoseconds - started)
            appended += 1
            if printSeq { FileHandle.standardOutput.write(Data("\(seq)\n".utf8)) }
            guard appended < records else { break }
            started = DispatchTime.now().uptimeNanoseconds
            try journal.end(ConvergenceEnd(beginSeq: seq, outcome: round % 7 == 0 ? .partiallyFailed : .converged,
                                           results: begin.operations.map { OperationResult(id: $0.id, ok: true, durationMilliseconds: 40) },
                                           imageDigests: ["localhost:5000/bosun/busybox:1.35": "sha256:" + String(repeating: "ab", count: 32)],
                                           durationMilliseconds: 1200))
            latencies.append(DispatchTime.now().uptimeNanoseconds - started)
            appended += 1
            if printSeq { FileHandle.standardOutput.write(Data("\(seq + 1)\n".utf8)) }
        }
        if timing {
            let sorted = latencies.sorted()
            let ms = { (ns: UInt64) in String(format: "%.3f", Double(ns) / 1e6) }
            print("appends \(sorted.count): median \(ms(sorted[sorted.count / 2])) ms, p99 \(ms(sorted[sorted.count * 99 / 100])) ms, max \(ms(sorted.last ?? 0)) ms")
        }
    }
}
