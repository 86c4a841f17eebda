
/// Writes small tar archives in memory (ustar, with GNU long names and PAX records when asked), for tests.
public struct TarBuilder {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func add(_ path: String, type: UInt8 = UInt8(ascii: "0"), data: [UInt8] = [], mode: UInt32 = 0o644,
                      link: String = "", uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000, major: Int = 0, minor: Int = 0,
                      pax: [String: String] = [:]) {
        if !pax.isEmpty {
            var records: [UInt8] = []
            for (key, value) in pax.sorted(by: { $0.key < $1.key }) {
                let body = " \(key)=\(value)\n"
                var length = body.utf8.count + 1
                while String(length).count + body.utf8.count != length { length = String(length).count + body.utf8.count }
                records += Array((String(length) + body).utf8)
            }
            header(name: "PaxHeader", type: UInt8(ascii: "x"), size: records.count, mode: 0o644, link: "", uid: 0, gid: 0, mtime: 0, major: 0, minor: 0)
            body(records)
        }
        var name = path
        if name.utf8.count > 100 {
            let long = Array(name.utf8) + [0]
            header(name: "././@LongLink", type: UInt8(ascii: "L"), size: long.count, mode: 0, link: "", uid: 0, gid: 0, mtime: 0, major: 0, minor: 0)
            body(long)
            name = String(name.prefix(99))
        }
        header(name: name, type: type, size: data.count, mode: mode, link: link, uid: uid, gid: gid, mtime: mtime, major: major, minor: minor)
        body(data)
    }

    public mutating func finish() -> [UInt8] {
        bytes += [UInt8](repeating: 0, count: 1024)
        return bytes
    }

    private mutating func body(_ data: [UInt8]) {
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    private mutating func header(name: String, type: UInt8, size: Int, mode: UInt32, link: String, uid: Int, gid: Int, mtime: Int, major: Int, minor: Int) {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int, _ length: Int) {
            for (i, byte) in text.utf8.prefix(length).enumerated() { h[offset + i] = byte }
        }
        func octal(_ value: Int, _ offset: Int, _ length: Int) {
            let text = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, length - 1 - text.count)) + text, offset, length - 1)
        }
        put(name, 0, 100)
        octal(Int(mode), 100, 8)
        octal(uid, 108, 8)
        octal(gid, 116, 8)
        octal(size, 124, 12)
        octal(mtime, 136, 12)
        h[156] = type
        put(link, 157, 100)
        put("ustar", 257, 6)
        put("00", 263, 2)
        octal(major, 329, 8)
        octal(minor, 337, 8)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        octal(sum, 148, 7)
        h[155] = 0x20
        bytes += h
    }
}
