public import BosunArchive
import CBosunSys
import Foundation
import BosunLinux
public import BosunFailure

/// Unpacks one layer's tar stream into its own snapshot directory, in the form overlayfs wants as a lower
/// layer. Nothing is ever written outside the snapshot: every parent directory is opened with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, so a path through a symlink or `..` fails instead of
/// escaping, and files are created with `O_NOFOLLOW | O_EXCL` relative to that directory.
public struct LayerUnpacker {
    public let snapshot: String

    /// What unpacking did.
    public struct Report: Sendable, Equatable {
        public var entries = 0
        public var files = 0
        public var bytes: Int64 = 0
        public var whiteouts = 0
        public var opaqueDirectories = 0
    }

    /// `snapshot` must be an existing directory (normally empty).
    public init(snapshot: String) {
        self.snapshot = snapshot
    }

    public func unpack<Source: ByteSource>(_ source: Source) throws -> Report {
        try unpackReturningSource(source).report
    }

    /// Unpacks and hands back the source as it is after the archive's end (a digesting source, say).
    public func unpackReturningSource<Source: ByteSource>(_ source: Source) throws -> (report: Report, source: Source) {
        let root = open(snapshot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw UnpackError("open snapshot \(snapshot)", errno) }
        defer { close(root) }
        var reader = TarReader(source)
        var report = Report()
        var directoryTimes: [(path: String, entry: TarEntry)] = []
        var writer = EntryWriter(root: root)
        defer { writer.closeAll() }
        while let entry = try reader.next() {
            report.entries += 1
            switch try LayerOperation.plan(entry) {
            case .root(let entry):
                try writer.applyMetadata(fd: root, entry: entry, path: ".")
                directoryTimes.append((".", entry))
            case .whiteout(let path):
                try writer.whiteout(path)
                report.whiteouts += 1
            case .opaque(let directory):
                try writer.opaque(directory)
                report.opaqueDirectories += 1
            case .create(let path, let entry):
                if entry.kind == .directory { directoryTimes.append((path, entry)) }
                let written = try writer.create(path, entry) { try reader.readData() }
                if entry.kind == .file {
                    report.files += 1
                    report.bytes += written
                }
            }
        }
        // Directory times last, deepest first: creating children changed them.
        for (path, entry) in directoryTimes.reversed() { try writer.setTimes(path, entry) }
        return (report, reader.source)
    }
}

/// A failed step of unpacking, with the system error.
public struct UnpackError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ step: String, _ code: Int32) {
        message = "\(step): \(Errno.text(code))"
    }
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension UnpackError: FailureDescribing {
    /// A layer that cannot be unpacked here: the disk or the kernel (overlayfs) is at fault more often than the layer.
    public var failure: Failure { Failure(action: "unpack", cause: message, handling: .fixHost) }
}
