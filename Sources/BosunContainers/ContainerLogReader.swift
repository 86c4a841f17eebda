public import BosunLogFormat
public import Foundation
import Glibc

/// Reads a container's json-file log — `ctr.log` and its rotated files `ctr.log.N` (oldest: highest N) — in
/// order, with Docker's `--since` and `--tail`, and follows it across rotations.
public struct ContainerLogReader: Sendable {
    /// The current file (`<dir>/ctr.log`).
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The files, oldest first.
    public var files: [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let rotated = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { entry -> Int? in
            guard entry.hasPrefix(name + ".") else { return nil }
            return Int(entry.dropFirst(name.count + 1))
        }
        return rotated.sorted(by: >).map { "\(path).\($0)" } + [path]
    }

    /// Every entry at or after `since`, the last `tail` of them when given.
    public func entries(since: LogTimestamp? = nil, tail: Int? = nil) -> [LogEntry] {
        var result: [LogEntry] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            result += ContainerLogReader.entries(in: data, since: since)
        }
        return ContainerLogReader.select(result, tail: tail)
    }

    /// The last `tail` entries (all when nil; none for 0).
    public static func select(_ entries: [LogEntry], tail: Int?) -> [LogEntry] {
        guard let tail else { return entries }
        return Array(entries.suffix(max(0, tail)))
    }

    /// The complete lines of `data` as entries (a trailing line without a newline is not complete yet).
    public static func entries(in data: Data, since: LogTimestamp?) -> [LogEntry] {
        var result: [LogEntry] = []
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: 0x0A) {
            if let entry = LogEntry.parse(data[start..<newline]), since.map({ entry.time >= $0 }) ?? true { result.append(entry) }
            start = newline + 1
        }
        return result
    }

    /// Prints what `entries` gives, then keeps reading new lines — across rotations: when `ctr.log` is replaced,
    /// the old file is read to its end before the new one — until `stop` returns true once everything written
    /// so far has been read (the container exited). `emit` gets entries in order.
    public func follow(since: LogTimestamp? = nil, tail: Int? = nil, pollInterval: Double = 0.2,
                       stop: () -> Bool, emit: (LogEntry) -> Void) {
        // Open the current file before reading the rotated ones, so a rotation in between is noticed.
        var handle = FileHandle(forReadingAtPath: path)
        var identity = handle.flatMap { ContainerLogReader.identity(of: $0.fileDescriptor) }
        let earlier = files.dropLast().flatMap { file -> [LogEntry] in
            guard let data = FileManager.default.contents(atPath: file) else { return [] }
            return ContainerLogReader.entries(in: data, since: since)
        }
        var pending = Data()
        let current = handle.map { (try? $0.readToEnd()) ?? nil } ?? nil
        pending.append(current ?? Data())
        let first = ContainerLogReader.entries(in: pending, since: since)
        pending = ContainerLogReader.unfinished(pending)
        ContainerLogReader.select(earlier + first, tail: tail).forEach(emit)
        while true {
            let stopping = stop()
            if let handle, let data = try? handle.readToEnd(), !data.isEmpty { pending.append(data) }
            ContainerLogReader.entries(in: pending, since: since).forEach(emit)
            pending = ContainerLogReader.unfinished(pending)
            let now = FileHandle(forReadingAtPath: path)
            let nowIdentity = now.flatMap { ContainerLogReader.identity(of: $0.fileDescriptor) }
            if nowIdentity != identity, let now {
                // Rotated: the old handle was read to its end above; go on with the new file from its start.
                try? handle?.close()
                handle = now
                identity = nowIdentity
                pending = Data()
                continue
            }
            try? now?.close()
            if stopping { break }
            Thread.sleep(forTimeInterval: pollInterval)
        }
        try? handle?.close()
    }

    static func unfinished(_ data: Data) -> Data {
        guard let last = data.lastIndex(of: 0x0A) else { return data }
        return Data(data[(last + 1)...])
    }

    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    static func identity(of fd: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
