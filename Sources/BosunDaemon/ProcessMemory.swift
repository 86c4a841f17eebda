import CBosunSys
import Glibc
import NIOConcurrencyHelpers

/// Gives back memory an idle agent does not need, so that its resident set is what it keeps, not what it
/// last ran: the code pages of the executable and its libraries (`r-xp` file mappings) and the executable's
/// `.rodata` — pages that are never written, so `MADV_DONTNEED` only unmaps them: they stay in the page cache
/// and fault back in (a minor fault each) when that code runs again — and free heap (`malloc_trim`).
/// Data, relocated pointers and the heap's live objects are never touched.
public enum ProcessMemory {
    /// Trims after work; `refresh` re-reads the mappings (after a convergence, which may have loaded a
    /// library), otherwise the ones found last time are used (a trim then costs a few system calls).
    public static func trim(refresh: Bool = true) {
        let ranges = cached.withLockedValue { cached -> [ReleasableRange] in
            if refresh || cached == nil { cached = findRanges() }
            return cached ?? []
        }
        for range in ranges {
            guard let address = UnsafeMutableRawPointer(bitPattern: range.start) else { continue }
            _ = madvise(address, Int(range.end - range.start), MADV_DONTNEED)
        }
        _ = bosun_malloc_trim()
    }

    /// Caps glibc's malloc arenas at two for the rest of the process. By default every thread that meets a
    /// locked arena gets its own, up to eight per core, and each keeps its own free lists and fragments: under
    /// sustained work (`make soak`) the agent's resident set climbed a step whenever a busy host made one more
    /// pool thread allocate, and never came down. The agent allocates little and rarely at once, so two
    /// arenas cost it no waiting.
    public static func limitArenas() {
        _ = bosun_malloc_arena_max(2)
    }

    /// The process's memory as the agent's status shows it: resident set and glibc's heap, in bytes.
    public struct Figures: Sendable, Hashable {
        public var resident: Int
        /// Bytes malloc handed out and not yet freed (arena chunks and chunks mapped on their own).
        public var heapInUse: Int
        /// Bytes free inside the arenas: kept by malloc for reuse (fragmentation when it grows while in-use does not).
        public var heapFree: Int
        /// Of `heapInUse`, the large chunks mapped on their own.
        public var heapMapped: Int
    }

    /// The figures now (`mallinfo2` walks the arenas' free lists: a status request's worth of work, not a hot path's).
    public static func figures() -> Figures {
        var inUse = 0, free = 0, mapped = 0, arena = 0
        bosun_heap_figures(&inUse, &free, &mapped, &arena)
        var resident = 0
        if let statm = readFile("/proc/self/statm").map({ String(decoding: $0, as: UTF8.self) }) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { resident = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        return Figures(resident: resident, heapInUse: inUse, heapFree: free, heapMapped: mapped)
    }

    private static let cached = NIOLockedValueBox<[ReleasableRange]?>(nil)

    static func findRanges() -> [ReleasableRange] {
        guard let maps = readFile("/proc/self/maps").map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        var executable = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &executable, executable.count - 1)
        let executablePath = length > 0 ? String(decoding: executable[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let rodata = ELFSections.rodata(ofFile: "/proc/self/exe")
        return releasableRanges(maps: maps, executable: executablePath, rodata: rodata, pageSize: UInt(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The ranges to release, from `/proc/self/maps`: every file-backed `r-xp` mapping, and the part of the
    /// executable's mappings that holds `.rodata` (file offset and size), shrunk to whole pages. Pure.
    static func releasableRanges(maps: String, executable: String, rodata: (offset: UInt, size: UInt)?, pageSize: UInt) -> [ReleasableRange] {
        var ranges: [ReleasableRange] = []
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].drop(while: { $0 == " " })
            guard path.hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let offset = UInt(fields[2], radix: 16)
            else { continue }
            if fields[1] == "r-xp" {
                ranges.append(ReleasableRange(start: start, end: end))
            } else if path == executable, let rodata, fields[1].hasSuffix("p") {
                // The part of .rodata inside this mapping, in whole pages.
                let low = max(offset, rodata.offset), high = min(offset + (end - start), rodata.offset + rodata.size)
                guard high > low else { continue }
                let first = (start + (low - offset) + pageSize - 1) / pageSize * pageSize
                let last = (start + (high - offset)) / pageSize * pageSize
                if last > first { ranges.append(ReleasableRange(start: first, end: last)) }
            }
        }
        return ranges
    }

    static func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }
}

/// An address range `[start, end)` of whole pages.
struct ReleasableRange: Equatable {
    var start: UInt
    var end: UInt
}
