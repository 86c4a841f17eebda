import BosunContainers
import BosunLogFormat
import Foundation
import Testing

@Suite("log reading: since, tail, rotated files")
struct LogReadingTests {
    @Test("--since takes RFC 3339, dates, Unix seconds and durations back from now")
    func since() throws {
        let now = Date(timeIntervalSince1970: 1_795_942_367)
        #expect(try LogSince.parse("2026-11-29T08:52:47.5Z") == LogTimestamp(seconds: 1_795_942_367, nanoseconds: 500_000_000))
        #expect(try LogSince.parse("2026-11-29T09:52:47+01:00") == LogTimestamp(seconds: 1_795_942_367, nanoseconds: 0))
        #expect(try LogSince.parse("2026-11-29") == LogTimestamp(seconds: 1_795_910_400, nanoseconds: 0))
        #expect(try LogSince.parse("1795942367") == LogTimestamp(seconds: 1_795_942_367, nanoseconds: 0))
        #expect(try LogSince.parse("10m", now: now) == LogTimestamp(seconds: 1_795_942_367 - 600, nanoseconds: 0))
        #expect(try LogSince.parse("1h30m", now: now) == LogTimestamp(seconds: 1_795_942_367 - 5400, nanoseconds: 0))
        for bad in ["", "yesterday", "10x", "2026-13-01T00:00:00Z", "-5m"] {
            #expect(throws: LogSince.Problem.self) { try LogSince.parse(bad, now: now) }
        }
    }

    @Test("log options take Docker's sizes and counts")
    func options() throws {
        let options = try LogOptions(options: ["max-size=10m", "max-file=3"])
        #expect(options == LogOptions(maxSize: 10 * 1_048_576, maxFile: 3))
        #expect(try LogOptions(options: ["max-size=512k"], over: .recommended).maxFile == 3)
        for bad in ["max-size=0", "max-size=ten", "max-file=0", "compress=true", "max-size"] {
            #expect(throws: LogOptions.Problem.self) { try LogOptions(options: [bad]) }
        }
    }

    @Test("entries across rotated files in order, filtered by since, the last N by tail; torn lines skipped")
    func rotated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-logs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func line(_ number: Int, _ stream: LogStream = .stdout) -> [UInt8] {
            LogLineEncoder.encode(Array("line \(number)\n".utf8)[...], stream: stream, time: LogTimestamp(seconds: Int64(1000 + number), nanoseconds: 0))
        }
        try Data(line(1) + line(2)).write(to: URL(fileURLWithPath: directory + "/ctr.log.2"))
        try Data(line(3) + line(4, .stderr)).write(to: URL(fileURLWithPath: directory + "/ctr.log.1"))
        try Data(line(5) + Array("{\"log\":\"torn".utf8)).write(to: URL(fileURLWithPath: directory + "/ctr.log"))
        let reader = ContainerLogReader(path: directory + "/ctr.log")
        #expect(reader.entries().map(\.text) == (1...5).map { "line \($0)\n" })
        #expect(reader.entries()[3].stream == .stderr)
        #expect(reader.entries(tail: 2).map(\.text) == ["line 4\n", "line 5\n"])
        #expect(reader.entries(tail: 0).isEmpty)
        #expect(reader.entries(since: LogTimestamp(seconds: 1003, nanoseconds: 0)).map(\.text) == ["line 3\n", "line 4\n", "line 5\n"])
        #expect(reader.entries(since: LogTimestamp(seconds: 1002, nanoseconds: 0), tail: 1).map(\.text) == ["line 5\n"])
    }

    @Test("ps durations read like docker's")
    func durations() {
        #expect(HumanDuration.text(0.5) == "Less than a second")
        #expect(HumanDuration.text(42) == "42 seconds")
        #expect(HumanDuration.text(61) == "About a minute")
        #expect(HumanDuration.text(5 * 60) == "5 minutes")
        #expect(HumanDuration.text(3600) == "About an hour")
        #expect(HumanDuration.text(3 * 86_400) == "3 days")
        #expect(SignalName.number("SIGTERM") == 15 && SignalName.number("kill") == 9 && SignalName.number("3") == 3)
        #expect(SignalName.number("SIGNOPE") == nil && SignalName.number("0") == nil)
    }
}
