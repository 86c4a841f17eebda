/// Reads the SSH wire encoding (RFC 4251 §5): big-endian `uint32`, length-prefixed `string`, `mpint`.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func uint32() throws(TrustError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw TrustError("a truncated SSH field (4 bytes wanted at \(offset))") }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A length-prefixed byte string.
    mutating func string() throws(TrustError) -> [UInt8] {
        let length = Int(try uint32())
        guard bytes.count - offset >= length else { throw TrustError("a truncated SSH field (\(length) bytes wanted at \(offset))") }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    /// A length-prefixed string as text.
    mutating func text() throws(TrustError) -> String { String(decoding: try string(), as: UTF8.self) }

    /// A fixed number of raw bytes.
    mutating func raw(_ count: Int) throws(TrustError) -> [UInt8] {
        guard bytes.count - offset >= count else { throw TrustError("a truncated SSH field (\(count) bytes wanted at \(offset))") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// An `mpint` as an unsigned big-endian magnitude without leading zeros (negative numbers refused).
    mutating func unsignedMPInt() throws(TrustError) -> [UInt8] {
        let value = try string()
        if let first = value.first, first & 0x80 != 0 { throw TrustError("a negative SSH integer") }
        return Array(value.drop { $0 == 0 })
    }
}

/// Writes the SSH wire encoding.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint32(_ value: UInt32) { bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    mutating func string(_ value: [UInt8]) {
        uint32(UInt32(value.count))
        bytes += value
    }
    mutating func string(_ value: String) { string(Array(value.utf8)) }
    mutating func raw(_ value: [UInt8]) { bytes += value }
}
