/// Decoding of tar header fields.
extension TarReader {
    static func checksumMatches(_ header: [UInt8]) -> Bool {
        var unsigned = 0
        var signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard let stored = try? number(header[148..<156], field: "checksum") else { return false }
        return stored == Int64(unsigned) || stored == Int64(signed)
    }

    /// An octal field, or GNU base-256 when the high bit of the first byte is set.
    static func number(_ field: ArraySlice<UInt8>, field name: String) throws -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { throw TarError("header field \(name) overflows") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in field {
            if byte == 0 || byte == 0x20 {
                if seenDigit { break } else { continue }
            }
            guard byte >= 0x30 && byte <= 0x37 else { throw TarError("header field \(name) is not an octal number") }
            guard value < Int64.max >> 3 else { throw TarError("header field \(name) overflows") }
            value = value << 3 | Int64(byte - 0x30)
            seenDigit = true
        }
        return value
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func entry(header: [UInt8], size: Int64) throws -> TarEntry {
        var name = cString(header[0..<100])
        let magic = header[257..<263]
        if magic.elementsEqual(Array("ustar\0".utf8)) || magic.elementsEqual(Array("ustar ".utf8)) {
            let prefix = cString(header[345..<500])
            if !prefix.isEmpty && magic.elementsEqual(Array("ustar\0".utf8)) { name = prefix + "/" + name }
        }
        let kind: TarEntry.Kind
        switch header[156] {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = name.hasSuffix("/") ? .directory : .file
        case UInt8(ascii: "1"): kind = .hardlink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default: throw TarError("entry \(name) has unsupported type '\(Character(Unicode.Scalar(header[156])))'")
        }
        return TarEntry(
            path: name, kind: kind, size: size,
            mode: UInt32(try number(header[100..<108], field: "mode") & 0o7777),
            uid: try number(header[108..<116], field: "uid"), gid: try number(header[116..<124], field: "gid"),
            modificationSeconds: try number(header[136..<148], field: "mtime"),
            linkName: cString(header[157..<257]),
            deviceMajor: UInt32(truncatingIfNeeded: try number(header[329..<337], field: "devmajor")),
            deviceMinor: UInt32(truncatingIfNeeded: try number(header[337..<345], field: "devminor")))
    }

    /// PAX records: `LEN key=value\n`, repeated.
    static func paxRecords(_ data: [UInt8]) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: 0x20), let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                  length > 0, index + length <= data.count, data[index + length - 1] == 0x0A else {
                throw TarError("a PAX record is malformed")
            }
            let record = data[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw TarError("a PAX record has no '='") }
            records[String(decoding: record[..<equals], as: UTF8.self)] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            index += length
        }
        return records
    }

    /// `1700000000.123456789` → seconds and nanoseconds.
    static func paxTime(_ text: String) -> (Int64, Int32) {
        let parts = text.split(separator: ".", maxSplits: 1)
        let seconds = Int64(parts.first ?? "0") ?? 0
        guard parts.count == 2 else { return (seconds, 0) }
        let digits = String(parts[1].prefix(9)).padding(toLength: 9)
        return (seconds, Int32(digits) ?? 0)
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: "0", count: length - count)
    }
}
