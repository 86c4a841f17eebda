/// Reads a tar stream (ustar, GNU long names, PAX) entry by entry without holding it in memory.
public struct TarReader<Source: ByteSource> {
    /// The underlying source (e.g. to read a digest after the archive's end).
    public private(set) var source: Source
    var buffer: [UInt8] = []
    var bufferOffset = 0
    /// Data bytes of the current entry not yet read, and its padding.
    var remaining: Int64 = 0
    var padding = 0
    var globalPAX: [String: String] = [:]
    var finished = false

    public init(_ source: Source) { self.source = source }

    /// The next entry's header, skipping whatever of the current entry's data was not read; nil at the end.
    public mutating func next() throws -> TarEntry? {
        try skip(Int(remaining) + padding)
        remaining = 0
        padding = 0
        if finished { return nil }
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        while true {
            let header = try take(512)
            guard header.count == 512 else {
                if header.isEmpty { finished = true; return nil }
                throw TarError("the archive ends inside a header")
            }
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                return nil
            }
            guard TarReader.checksumMatches(header) else { throw TarError("a header's checksum does not match (not a tar archive, or damaged)") }
            let typeflag = header[156]
            let size = try TarReader.number(header[124..<136], field: "size")
            switch typeflag {
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard size < 1 << 20 else { throw TarError("a GNU long name of \(size) bytes is too long") }
                let data = try takeData(Int(size))
                let text = TarReader.cString(data[...])
                if typeflag == UInt8(ascii: "L") { longName = text } else { longLink = text }
                continue
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                guard size < 1 << 20 else { throw TarError("a PAX header of \(size) bytes is too long") }
                let records = try TarReader.paxRecords(try takeData(Int(size)))
                if typeflag == UInt8(ascii: "g") { globalPAX.merge(records) { $1 } } else { pax.merge(records) { $1 } }
                continue
            default:
                break
            }
            var entry = try TarReader.entry(header: header, size: size)
            let attributes = globalPAX.merging(pax) { $1 }
            if let path = attributes["path"] { entry.path = path } else if let longName { entry.path = longName }
            if let link = attributes["linkpath"] { entry.linkName = link } else if let longLink { entry.linkName = longLink }
            if let size = attributes["size"].flatMap(Int64.init) { entry.size = size }
            if let uid = attributes["uid"].flatMap(Int64.init) { entry.uid = uid }
            if let gid = attributes["gid"].flatMap(Int64.init) { entry.gid = gid }
            if let mtime = attributes["mtime"] { (entry.modificationSeconds, entry.modificationNanoseconds) = TarReader.paxTime(mtime) }
            for (key, value) in attributes where key.hasPrefix("SCHILY.xattr.") {
                entry.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = Array(value.utf8)
            }
            guard entry.size >= 0 else { throw TarError("entry \(entry.path) has a negative size") }
            if entry.kind == .file {
                remaining = entry.size
                padding = Int((512 - entry.size % 512) % 512)
            } else if entry.size > 0 {
                // Other kinds carry no data; skip any they claim to have.
                remaining = entry.size
                padding = Int((512 - entry.size % 512) % 512)
                entry.size = 0
            }
            return entry
        }
    }

    /// Up to `maximum` bytes of the current entry's data; empty when it is all read.
    public mutating func readData(maximum: Int = 1 << 20) throws -> [UInt8] {
        guard remaining > 0 else { return [] }
        let chunk = try take(Int(min(Int64(maximum), remaining)))
        guard !chunk.isEmpty else { throw TarError("the archive ends inside a file's data") }
        remaining -= Int64(chunk.count)
        return chunk
    }

    mutating func takeData(_ size: Int) throws -> [UInt8] {
        let data = try take(size)
        guard data.count == size else { throw TarError("the archive ends inside an extended header") }
        try skip((512 - size % 512) % 512)
        return data
    }

    /// Up to `count` bytes (fewer only at the end of the stream).
    mutating func take(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if bufferOffset == buffer.count {
                buffer = try source.read(maximum: max(1 << 16, count - out.count))
                bufferOffset = 0
                if buffer.isEmpty { break }
            }
            let n = min(count - out.count, buffer.count - bufferOffset)
            out.append(contentsOf: buffer[bufferOffset..<bufferOffset + n])
            bufferOffset += n
        }
        return out
    }

    mutating func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            let chunk = try take(min(left, 1 << 20))
            if chunk.isEmpty { throw TarError("the archive ends inside a file's data") }
            left -= chunk.count
        }
    }
}
