import BosunContainers
import BosunLogFormat
import Foundation
import Testing

/// The json-file lines the monitor writes; decoded back with the reader bosun logs uses (BosunContainers).
@Suite("json-file log format")
struct LogFormatTests {
    let time = LogTimestamp(seconds: 1_795_942_367, nanoseconds: 123_456_789)

    func encode(_ text: [UInt8], _ stream: LogStream = .stdout) -> String {
        String(decoding: LogLineEncoder.encode(text[...], stream: stream, time: time), as: UTF8.self)
    }

    @Test("a line is Docker's json-file object with an RFC 3339 UTC time to the nanosecond")
    func line() {
        #expect(encode(Array("hello\n".utf8)) == #"{"log":"hello\n","stream":"stdout","time":"2026-11-29T08:52:47.123456789Z"}"# + "\n")
        #expect(encode(Array("x".utf8), .stderr).contains(#""stream":"stderr""#))
        #expect(LogTimestamp(seconds: 0, nanoseconds: 5).rfc3339 == "1970-01-01T00:00:00.000000005Z")
        #expect(LogTimestamp(seconds: 951_782_400, nanoseconds: 0).rfc3339 == "2000-02-29T00:00:00.000000000Z")
    }

    @Test("quotes, backslashes and control characters are escaped; invalid UTF-8 becomes U+FFFD")
    func escaping() throws {
        let text: [UInt8] = Array("a\"b\\c\t\r".utf8) + [0x01, 0x1F, 0x7F] + Array("é€😀".utf8) + [0xFF, 0xC3, 0x41, 0xED, 0xA0, 0x80] + [0x0A]
        let line = encode(text)
        #expect(line.hasPrefix(#"{"log":"a\"b\\c\t\r\u0001\u001f"# + "\u{7F}é€😀" + #"\ufffd\ufffdA\ufffd\ufffd\ufffd\n""#))
        // Whatever the bytes, the line is JSON that decodes back.
        let decoded = try #require(LogEntry.parse(Array(line.utf8.dropLast())))
        #expect(decoded.text == "a\"b\\c\t\r\u{01}\u{1F}\u{7F}é€😀\u{FFFD}\u{FFFD}A\u{FFFD}\u{FFFD}\u{FFFD}\n")
        #expect(decoded.time == time && decoded.stream == .stdout)
        #expect(encode(Array("\u{2028}".utf8)).contains(#"\u2028"#))
    }

    @Test("lines split at 16 KiB without a newline, never inside a UTF-8 sequence; the rest goes out at end of file")
    func splitting() {
        var splitter = LogLineSplitter()
        var parts: [[UInt8]] = []
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 16 * 1024 - 1) + Array("é".utf8) + Array("tail\nnext\npart".utf8)
        // Fed in small pieces, as a pipe delivers.
        var index = 0
        while index < long.count {
            let end = min(long.count, index + 1000)
            splitter.feed(long[index..<end]) { parts.append(Array($0)) }
            index = end
        }
        #expect(parts.count == 3)
        #expect(parts[0].count == 16 * 1024 - 1 && parts[0].last == UInt8(ascii: "a"))
        #expect(parts[1] == Array("étail\n".utf8))
        #expect(parts[2] == Array("next\n".utf8))
        splitter.finish { parts.append(Array($0)) }
        #expect(parts.last == Array("part".utf8))
    }

    @Test("the exit record is JSON with 128+signal for a killed init")
    func exitRecord() throws {
        let record = ExitRecordText(waitStatus: 9, oomKilled: true, startedAt: time, finishedAt: time)
        let text = String(decoding: record.bytes, as: UTF8.self)
        #expect(text == #"{"exit_code":137,"signal":9,"oom_killed":true,"started_at":"2026-11-29T08:52:47.123456789Z","finished_at":"2026-11-29T08:52:47.123456789Z"}"# + "\n")
        #expect(String(decoding: ExitRecordText(waitStatus: 3 << 8, oomKilled: false, startedAt: nil, finishedAt: time).bytes, as: UTF8.self)
            .hasPrefix(#"{"exit_code":3,"signal":null,"oom_killed":false,"started_at":null"#))
    }
}
