/// Which pipe a log line came from.
public enum LogStream: String, Sendable, Hashable, Codable {
    case stdout
    case stderr
}

/// Encodes one log entry in Docker's json-file format: `{"log":"text\n","stream":"stdout","time":"…Z"}` and a
/// newline. The text is escaped as JSON requires (quote, backslash, control characters); invalid UTF-8
/// becomes U+FFFD, one per bad byte, as Go's encoder does. `<`, `>` and `&` are written as they are (Docker
/// escapes them for HTML; readers do not care).
public enum LogLineEncoder {
    public static func encode(_ text: ArraySlice<UInt8>, stream: LogStream, time: LogTimestamp) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 80)
        output.append(contentsOf: prefix)
        appendEscaped(text, to: &output)
        output.append(contentsOf: stream == .stdout ? stdoutMiddle : stderrMiddle)
        time.appendRFC3339(to: &output)
        output.append(contentsOf: suffix)
        return output
    }

    static let prefix = Array("{\"log\":\"".utf8)
    static let stdoutMiddle = Array("\",\"stream\":\"stdout\",\"time\":\"".utf8)
    static let stderrMiddle = Array("\",\"stream\":\"stderr\",\"time\":\"".utf8)
    static let suffix = Array("\"}\n".utf8)
    static let hexDigits = Array("0123456789abcdef".utf8)
    static let replacement = Array("\\ufffd".utf8)

    /// Appends `text` as the inside of a JSON string (no surrounding quotes).
    public static func appendEscaped(_ text: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte < 0x80 {
                appendASCII(byte, to: &output)
                index += 1
                continue
            }
            let length = validSequenceLength(text, at: index)
            if length == 0 {
                output.append(contentsOf: replacement)
                index += 1
                continue
            }
            // U+2028 and U+2029 end lines in JavaScript: escape them, as Go does.
            if length == 3 && byte == 0xE2 && text[index + 1] == 0x80 && (text[index + 2] == 0xA8 || text[index + 2] == 0xA9) {
                output.append(contentsOf: Array((text[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8))
            } else {
                output.append(contentsOf: text[index..<index + length])
            }
            index += length
        }
    }

    static func appendASCII(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0..<0x20:
            output.append(contentsOf: Array("\\u00".utf8))
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0xF)])
        default: output.append(byte)
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (2...4), or 0 when it is not one
    /// (a stray continuation byte, an overlong form, a surrogate, a value above U+10FFFF, a cut-off sequence).
    static func validSequenceLength(_ text: ArraySlice<UInt8>, at index: Int) -> Int {
        let lead = text[index]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return 0
        }
        guard index + length <= text.endIndex else { return 0 }
        let second = text[index + 1]
        guard second >= lower && second <= upper else { return 0 }
        for offset in 2..<length where text[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }
}
