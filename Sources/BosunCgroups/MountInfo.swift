/// One line of `/proc/self/mountinfo`, the fields the cgroup layer needs.
struct MountInfo: Sendable, Equatable {
    var mountPoint: String
    var fileSystemType: String
    var superOptions: [String]

    /// Parses mountinfo text; lines it cannot read are skipped.
    static func parse(_ text: String) -> [MountInfo] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 4 else {
                return nil
            }
            return MountInfo(
                mountPoint: unescape(fields[4]), fileSystemType: String(fields[separator + 1]),
                superOptions: fields[separator + 3].split(separator: ",").map(String.init))
        }
    }

    /// Undoes the kernel's octal escapes (`\040` for a space).
    static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
