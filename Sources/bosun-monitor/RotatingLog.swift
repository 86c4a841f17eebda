import Glibc

/// The container's json-file log with Docker's rotation: before a write would take the file past `maxSize`,
/// `ctr.log.(n-1)` → `ctr.log.n`, …, `ctr.log` → `ctr.log.1`, and a new `ctr.log`, keeping `maxFile` files in all
/// (with one file, it is truncated instead). Every entry is one `write(2)`, so a reader never sees half a line
/// from an interrupted monitor.
struct RotatingLog {
    let path: String
    let maxSize: Int64
    let maxFile: Int
    private(set) var fd: Int32
    private(set) var size: Int64
    /// A write error is reported once; lines are dropped while the disk refuses them (the pipes keep draining).
    var failing = false

    init?(path: String, maxSize: Int64, maxFile: Int) {
        self.path = path
        self.maxSize = maxSize
        self.maxFile = maxFile
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return nil }
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    mutating func write(_ entry: [UInt8]) {
        if maxSize > 0 && size > 0 && size + Int64(entry.count) > maxSize { rotate() }
        if Posix.writeAll(fd, entry) {
            size += Int64(entry.count)
            failing = false
        } else if !failing {
            failing = true
            Posix.report("write `\(path)`: \(Posix.errorText(errno)); dropping log lines until writes succeed")
        }
    }

    mutating func rotate() {
        if maxFile <= 1 {
            if ftruncate(fd, 0) == 0 { size = 0 }
            return
        }
        var index = maxFile - 1
        while index > 1 {
            rename(path + ".\(index - 1)", path + ".\(index)")
            index -= 1
        }
        guard rename(path, path + ".1") == 0 else {
            Posix.report("rotate `\(path)`: \(Posix.errorText(errno))")
            return
        }
        let next = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0o640)
        guard next >= 0 else {
            Posix.report("open `\(path)` after rotating: \(Posix.errorText(errno))")
            return
        }
        close(fd)
        fd = next
        size = 0
    }

    func sync() { fsync(fd) }
}
