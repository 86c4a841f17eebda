/// Constants of rtnetlink (values from the kernel's uapi headers).
enum RT {
    static let newLink: UInt16 = 16, delLink: UInt16 = 17, getLink: UInt16 = 18, setLink: UInt16 = 19
    static let newAddr: UInt16 = 20, getAddr: UInt16 = 22
    static let newRoute: UInt16 = 24, getRoute: UInt16 = 26
    static let request: UInt16 = 0x1, multi: UInt16 = 0x2, ack: UInt16 = 0x4, dump: UInt16 = 0x300
    static let replace: UInt16 = 0x100, excl: UInt16 = 0x200, create: UInt16 = 0x400
    static let error: UInt16 = 2, done: UInt16 = 3
    static let nested: UInt16 = 0x8000
    // IFLA_*
    static let linkAddress: UInt16 = 1, ifName: UInt16 = 3, mtu: UInt16 = 4, master: UInt16 = 10, protInfo: UInt16 = 12, linkInfo: UInt16 = 18
    static let netNSFD: UInt16 = 28
    static let infoKind: UInt16 = 1, infoData: UInt16 = 2, vethPeer: UInt16 = 1
    static let brportMode: UInt16 = 4
    // IFA_*, RTA_*
    static let ifaAddress: UInt16 = 1, ifaLocal: UInt16 = 2
    static let rtaDst: UInt16 = 1, rtaOIF: UInt16 = 4, rtaGateway: UInt16 = 5, rtaTable: UInt16 = 15
    static let afInet: UInt8 = 2, afBridge: UInt8 = 7, afUnspec: UInt8 = 0
    static let iffUp: UInt32 = 1
}

/// A netlink request under construction: header, fixed family header and attributes (nested ones too).
struct NetlinkRequest: Sendable, Hashable {
    var type: UInt16
    var flags: UInt16
    var body: [UInt8] = []
    private var nestStarts: [Int] = []

    init(type: UInt16, flags: UInt16) {
        self.type = type
        self.flags = flags | RT.request
    }

    /// Appends `struct ifinfomsg`.
    mutating func ifinfo(family: UInt8 = RT.afUnspec, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) {
        body += [family, 0, 0, 0]
        body += le(UInt32(bitPattern: index)) + le(flags) + le(change)
    }

    /// Appends `struct ifaddrmsg`.
    mutating func ifaddr(family: UInt8, prefixLength: UInt8, index: Int32) {
        body += [family, prefixLength, 0, 0] + le(UInt32(bitPattern: index))
    }

    /// Appends `struct rtmsg`, 12 bytes (table main, protocol boot, scope universe, unicast).
    mutating func rtmsg(family: UInt8, dstLength: UInt8 = 0) {
        body += [family, dstLength, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]
    }

    mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        body += le(UInt16(4 + payload.count)) + le(type) + payload
        pad()
    }

    mutating func attribute(_ type: UInt16, string: String) { attribute(type, Array(string.utf8) + [0]) }
    mutating func attribute(_ type: UInt16, u32: UInt32) { attribute(type, le(u32)) }
    mutating func attribute(_ type: UInt16, u8: UInt8) { attribute(type, [u8]) }

    mutating func beginNested(_ type: UInt16) {
        nestStarts.append(body.count)
        body += [0, 0] + le(type | RT.nested)
    }

    mutating func endNested() {
        let start = nestStarts.removeLast()
        let length = le(UInt16(body.count - start))
        body[start] = length[0]
        body[start + 1] = length[1]
    }

    /// Raw bytes with the `nlmsghdr` for sequence number `seq`.
    func encoded(seq: UInt32) -> [UInt8] {
        le(UInt32(16 + body.count)) + le(type) + le(flags) + le(seq) + le(UInt32(0)) + body
    }

    private mutating func pad() { while body.count % 4 != 0 { body.append(0) } }
}

/// One message of a netlink reply.
struct NetlinkReply: Sendable, Hashable {
    var type: UInt16
    var flags: UInt16
    var seq: UInt32
    var payload: [UInt8]

    /// Splits a datagram into messages.
    static func parse(_ data: [UInt8]) -> [NetlinkReply] {
        var out: [NetlinkReply] = []
        var offset = 0
        while offset + 16 <= data.count {
            let length = Int(readLE32(data, offset))
            guard length >= 16, offset + length <= data.count else { break }
            out.append(NetlinkReply(type: readLE16(data, offset + 4), flags: readLE16(data, offset + 6), seq: readLE32(data, offset + 8),
                                    payload: Array(data[offset + 16 ..< offset + length])))
            offset += (length + 3) & ~3
        }
        return out
    }

    /// The errno of an NLMSG_ERROR message (0 is an acknowledgement).
    var errorCode: Int32? {
        guard type == RT.error, payload.count >= 4 else { return nil }
        return -Int32(bitPattern: readLE32(payload, 0))
    }

    /// Attributes after a fixed header of `headerLength` bytes.
    func attributes(after headerLength: Int) -> [UInt16: [UInt8]] {
        Self.attributes(payload, from: headerLength)
    }

    static func attributes(_ bytes: [UInt8], from start: Int) -> [UInt16: [UInt8]] {
        var out: [UInt16: [UInt8]] = [:]
        var offset = start
        while offset + 4 <= bytes.count {
            let length = Int(readLE16(bytes, offset))
            guard length >= 4, offset + length <= bytes.count else { break }
            out[readLE16(bytes, offset + 2) & 0x3fff] = Array(bytes[offset + 4 ..< offset + length])
            offset += (length + 3) & ~3
        }
        return out
    }
}

func le(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
func le(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * UInt32($0)) & 0xff) } }
func readLE16(_ bytes: [UInt8], _ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
func readLE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}
func cString(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}
