import CBosunSys
import Foundation
import Glibc

/// Gives back memory an idle agent does not need: the executable's code pages touched by start-up and by the
/// last convergence (`MADV_DONTNEED` on its `r-xp` mappings: code is never written, the pages stay in the page
/// cache and fault back in when run again) and free heap (`malloc_trim`). Called when the loop goes idle.
public enum ProcessMemory {
    public static func trim() {
        releaseCodePages()
        _ = bosun_malloc_trim()
    }

    static func releaseCodePages() {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
              let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        else { return }
        var ranges: [(UnsafeMutableRawPointer, Int)] = []
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp", fields[5...].joined(separator: " ") == executable else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            ranges.append((address, Int(end - start)))
        }
        for (address, length) in ranges { _ = madvise(address, length, MADV_DONTNEED) }
    }
}
