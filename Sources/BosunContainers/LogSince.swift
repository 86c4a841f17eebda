public import BosunLogFormat
public import Foundation

/// `--since` for `bosun logs`, as Docker reads it: an RFC 3339 time (`2026-11-29T08:52:47Z`, with or without
/// fractions or an offset), a date (`2026-11-29`, midnight UTC), Unix seconds (`1764406367`, `1764406367.5`),
/// or a duration back from now (`10m`, `1h30m`, `45s`, `2h`, `500ms`).
public enum LogSince {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String, now: Date = Date()) throws(Problem) -> LogTimestamp {
        if let time = LogTime.parse(text) { return time }
        if text.count == 10, let time = LogTime.parse(text + "T00:00:00Z") { return time }
        if let seconds = Double(text), seconds >= 0, seconds.isFinite, text.first?.isNumber == true {
            return LogTime.timestamp(Date(timeIntervalSince1970: seconds))
        }
        if let duration = duration(text) { return LogTime.timestamp(now.addingTimeInterval(-duration)) }
        throw Problem(description: "--since \(text): write an RFC 3339 time (2026-11-29T08:52:47Z), a date, Unix seconds or a duration (10m, 1h30m)")
    }

    /// Go-style durations: a sequence of number+unit (`h`, `m`, `s`, `ms`, `us`, `ns`).
    static func duration(_ text: String) -> Double? {
        let units: [String: Double] = ["h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000_001, "µs": 0.000_001, "ns": 0.000_000_001]
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            let unit = rest.dropFirst(digits.count).prefix { $0.isLetter }
            guard let value = Double(digits), let factor = units[String(unit)] else { return nil }
            total += value * factor
            rest = rest.dropFirst(digits.count + unit.count)
        }
        return total
    }
}
