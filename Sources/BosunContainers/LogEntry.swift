public import BosunLogFormat
import Foundation

/// One line of a container's json-file log.
public struct LogEntry: Sendable, Hashable {
    /// The text as written, newline included (a part of a long line has none).
    public var text: String
    public var stream: LogStream
    public var time: LogTimestamp
    /// The stamp as stored (`2026-11-29T08:52:47.123456789Z`).
    public var timeText: String

    public init(text: String, stream: LogStream, time: LogTimestamp, timeText: String) {
        self.text = text
        self.stream = stream
        self.time = time
        self.timeText = timeText
    }

    private struct Line: Decodable {
        var log: String
        var stream: String
        var time: String
    }

    /// Parses one line of the file; nil for a line that is not an entry (a torn last line, a foreign line).
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> LogEntry? {
        guard let line = try? JSONDecoder().decode(Line.self, from: Data(bytes)),
              let stream = LogStream(rawValue: line.stream), let time = LogTime.parse(line.time)
        else { return nil }
        return LogEntry(text: line.log, stream: stream, time: time, timeText: line.time)
    }
}
