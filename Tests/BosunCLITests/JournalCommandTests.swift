import Foundation
import Testing

@Suite("bosun journal and history")
struct JournalCommandTests {
    @Test("a child appending in a loop is SIGKILLed many times; the journal always verifies and loses at most the record in flight")
    func crashSimulation() throws {
        let state = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        var random = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<25 {
            let out = state + "/out-\(round).txt"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BosunBinary.path)
            process.arguments = ["journal", "stress", "--directory", state + "/journal", "--records", "100000", "--print-seq", "--services", "5"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...150_000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }
            let printed = (try String(contentsOfFile: out, encoding: .utf8)).split(separator: "\n").compactMap { Int64($0) }
            // Killed before it made the journal (a loaded machine can take that long to start a debug binary):
            // nothing to verify this round.
            let segments = (try? FileManager.default.contentsOfDirectory(atPath: state + "/journal"))?.filter { $0.hasSuffix(".jsonl") } ?? []
            if segments.isEmpty && printed.isEmpty { continue }
            // The journal verifies (a torn tail is allowed: the next writer cuts it) ...
            let verify = try BosunBinary.run(["journal", "verify", "--state-dir", state])
            #expect(verify.status == 0, "round \(round): \(verify.stderr)")
            // ... and holds every record the child reported durable, plus at most the one in flight.
            let intact = verify.stdout.split(separator: " ").dropFirst(2).first.flatMap { Int64($0) } ?? 0
            if let last = printed.last {
                #expect(intact >= last && intact <= last + 2, "round \(round): child printed \(last), journal has \(intact)")
            }
        }
        #expect(kills > 20)
    }

    @Test("verify names the first bad record and exits 1; history lists, shows and diffs")
    func verifyAndHistory() throws {
        let state = try BosunBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(try BosunBinary.run(["journal", "stress", "--directory", state + "/journal", "--records", "12"]).status == 0)
        #expect(try BosunBinary.run(["journal", "verify", "--state-dir", state]).stdout.hasPrefix("journal intact: 13 records in 1 segment"))

        let list = try BosunBinary.run(["history", "--state-dir", state, "--limit", "2"])
        #expect(list.status == 0)
        let rows = list.stdout.split(separator: "\n")
        #expect(rows.count == 4 && rows[0].hasPrefix("SEQ") && rows[1].hasPrefix("12 ") && rows[2].hasPrefix("10 "))
        #expect(rows[3].hasPrefix("last recorded activity: "))
        let json = try BosunBinary.run(["history", "--state-dir", state, "--outcome", "partially-failed", "--json"])
        #expect(json.stdout.split(separator: "\n").count == 0)
        #expect(try BosunBinary.run(["history", "--state-dir", state, "--outcome", "bogus"]).status == 2)
        let show = try BosunBinary.run(["history", "show", "4", "--state-dir", state])
        #expect(show.stdout.hasPrefix("convergence 4 (poll) converged in 1.2s"))
        #expect(show.stdout.contains("environment.ROUND: <redacted hmac-sha256:"))
        let diff = try BosunBinary.run(["history", "diff", "2", "6", "--state-dir", state])
        #expect(diff.stdout.contains("~ stress/svc1\n    environment.ROUND: hmac-sha256:"))
        #expect(!diff.stdout.contains("s3cret"))

        let path = state + "/journal/journal-000001.jsonl"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "deploy round 3", with: "deploy round X")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let broken = try BosunBinary.run(["journal", "verify", "--state-dir", state])
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("bosun: journal damaged at journal-000001.jsonl:6: record 6: hash mismatch"))
    }

    @Test("no journal: exit 3 with a clear message")
    func missing() throws {
        let outcome = try BosunBinary.run(["journal", "verify", "--state-dir", "/nonexistent-bosun-state"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("no journal at /nonexistent-bosun-state/journal"))
    }
}
