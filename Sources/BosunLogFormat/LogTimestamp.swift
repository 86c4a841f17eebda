/// A wall-clock instant as the container monitor stamps log lines and exit records: seconds since the Unix
/// epoch plus nanoseconds, written in RFC 3339 UTC with nine fractional digits (`2026-11-29T08:52:47.123456789Z`).
public struct LogTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, appended as ASCII bytes.
    public func appendRFC3339(to output: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = LogTimestamp.civil(fromDays: days)
        LogTimestamp.appendDigits(year, count: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        LogTimestamp.appendDigits(month, count: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        LogTimestamp.appendDigits(day, count: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        LogTimestamp.appendDigits(secondOfDay / 3600, count: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        LogTimestamp.appendDigits(secondOfDay / 60 % 60, count: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        LogTimestamp.appendDigits(secondOfDay % 60, count: 2, to: &output)
        output.append(UInt8(ascii: "."))
        LogTimestamp.appendDigits(Int64(nanoseconds), count: 9, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    /// The RFC 3339 text.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard Hinnant's
    /// `civil_from_days`).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func appendDigits(_ value: Int64, count: Int, to output: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: count)
        var rest = value < 0 ? 0 : value
        var index = count - 1
        while index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        output.append(contentsOf: digits)
    }
}
