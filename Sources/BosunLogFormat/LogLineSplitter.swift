/// Cuts a stream's bytes into log entries as Docker does: one entry per line, the newline kept; a line longer
/// than `maxLine` (16 KiB) goes out in parts without a newline; at end of file the rest goes out as it is. A
/// part never ends inside a UTF-8 sequence when the sequence would fit in the next part.
public struct LogLineSplitter: Sendable {
    public static let dockerMaxLine = 16 * 1024

    public let maxLine: Int
    var pending: [UInt8] = []

    public init(maxLine: Int = LogLineSplitter.dockerMaxLine) {
        self.maxLine = max(maxLine, 4)
    }

    /// Feeds bytes read from the pipe; calls `emit` with each complete entry.
    public mutating func feed(_ bytes: ArraySlice<UInt8>, emit: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                pending.append(contentsOf: bytes[start...])
                emitFullParts(emit)
                return
            }
            if pending.isEmpty {
                var line = bytes[start...newline]
                while line.count > maxLine {
                    let cut = LogLineSplitter.boundary(line, limit: maxLine)
                    emit(line[line.startIndex..<line.startIndex + cut])
                    line = line[(line.startIndex + cut)...]
                }
                emit(line)
            } else {
                pending.append(contentsOf: bytes[start...newline])
                emitFullParts(emit)
                if !pending.isEmpty { emit(pending[...]) }
                pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
    }

    /// At end of file: whatever is left, without a newline.
    public mutating func finish(emit: (ArraySlice<UInt8>) -> Void) {
        emitFullParts(emit)
        if !pending.isEmpty { emit(pending[...]) }
        pending.removeAll()
    }

    /// Emits parts of `maxLine` bytes while more than `maxLine` bytes are pending.
    mutating func emitFullParts(_ emit: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while pending.count - start > maxLine {
            let cut = LogLineSplitter.boundary(pending[start...], limit: maxLine)
            emit(pending[start..<start + cut])
            start += cut
        }
        if start > 0 { pending.removeFirst(start) }
    }

    /// Where to cut `text` (longer than `limit`) at most `limit` bytes in: before the lead byte of a UTF-8
    /// sequence that the cut would split.
    static func boundary(_ text: ArraySlice<UInt8>, limit: Int) -> Int {
        let base = text.startIndex
        guard text[base + limit] & 0xC0 == 0x80 else { return limit }
        var lead = limit - 1
        while lead > 0 && limit - lead < 4 && text[base + lead] & 0xC0 == 0x80 { lead -= 1 }
        return lead > 0 && text[base + lead] >= 0xC0 ? lead : limit
    }
}
