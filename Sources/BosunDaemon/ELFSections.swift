import Glibc

/// Reads one section's place from a 64-bit little-endian ELF file's section headers (for `ProcessMemory`).
enum ELFSections {
    /// File offset and size of `.rodata`, or nil when the file is not such an ELF file or has none.
    static func rodata(ofFile path: String) -> (offset: UInt, size: UInt)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: count)
            let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return read == count ? buffer : nil
        }
        guard let header = bytes(at: 0, count: 64), header[0..<4] == [0x7f, 0x45, 0x4c, 0x46], header[4] == 2, header[5] == 1
        else { return nil }
        let sectionTable = header.integer(at: 0x28, size: 8)
        let entrySize = Int(header.integer(at: 0x3a, size: 2))
        let count = Int(header.integer(at: 0x3c, size: 2))
        let namesIndex = Int(header.integer(at: 0x3e, size: 2))
        guard entrySize >= 64, count > 0, count < 65_280, namesIndex < count,
              let table = bytes(at: sectionTable, count: entrySize * count)
        else { return nil }
        func field(_ index: Int, _ at: Int, _ size: Int) -> UInt64 { table.integer(at: index * entrySize + at, size: size) }
        let namesOffset = field(namesIndex, 0x18, 8), namesSize = field(namesIndex, 0x20, 8)
        guard namesSize < 1 << 24, let names = bytes(at: namesOffset, count: Int(namesSize)) else { return nil }
        let wanted = Array(".rodata".utf8) + [0]
        for index in 0..<count {
            let name = Int(field(index, 0, 4))
            guard name + wanted.count <= names.count, Array(names[name..<(name + wanted.count)]) == wanted else { continue }
            return (UInt(field(index, 0x18, 8)), UInt(field(index, 0x20, 8)))
        }
        return nil
    }
}

extension [UInt8] {
    /// A little-endian unsigned integer of `size` bytes at `offset`.
    fileprivate func integer(at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(self[offset + index]) }
        return value
    }
}
