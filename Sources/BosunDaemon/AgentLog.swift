public import Foundation
import Synchronization

/// The agent's log: one event per line on stdout as `key=value` fields (values with spaces quoted), which
/// journald keeps as is. Under systemd (`$JOURNAL_STREAM` set) journald adds the time; otherwise each line
/// starts with `time=`. Secrets are never passed here.
public final class AgentLog: Sendable {
    let timestamps: Bool
    let lock = Mutex(())

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        timestamps = environment["JOURNAL_STREAM"] == nil
    }

    /// Writes `fields` (already `key=value`) as one line.
    public func write(_ fields: String) {
        var line = timestamps ? "time=\(AgentLog.now()) " : ""
        line += fields.replacingOccurrences(of: "\n", with: " ") + "\n"
        lock.withLock { _ in
            let bytes = Array(line.utf8)
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }

    /// `event=NAME k=v …` from pairs; values are quoted when they hold spaces, quotes or `=`.
    public func event(_ name: String, _ fields: KeyValuePairs<String, String?> = [:]) {
        var line = "event=\(name)"
        for (key, value) in fields {
            guard let value else { continue }
            line += " \(key)=\(AgentLog.quoted(value))"
        }
        write(line)
    }

    static func quoted(_ value: String) -> String {
        if !value.isEmpty && !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\t" }) { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var parts = tm()
        var seconds = time.tv_sec
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, time.tv_nsec / 1_000_000)
    }
}
