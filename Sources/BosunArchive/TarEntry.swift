public import BosunFailure

/// One member of a tar archive, with PAX and GNU extensions applied.
public struct TarEntry: Sendable, Hashable {
    /// What a member is.
    public enum Kind: Sendable, Hashable {
        case file, hardlink, symlink, characterDevice, blockDevice, directory, fifo
    }

    public var path: String
    public var kind: Kind
    public var size: Int64
    /// Permission bits and setuid/setgid/sticky (07777).
    public var mode: UInt32
    public var uid: Int64
    public var gid: Int64
    /// Modification time: seconds and nanoseconds since the epoch.
    public var modificationSeconds: Int64
    public var modificationNanoseconds: Int32
    /// The target of a symlink or hardlink.
    public var linkName: String
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes from PAX `SCHILY.xattr.*` records.
    public var xattrs: [String: [UInt8]]

    public init(path: String, kind: Kind, size: Int64 = 0, mode: UInt32 = 0o644, uid: Int64 = 0, gid: Int64 = 0,
                modificationSeconds: Int64 = 0, modificationNanoseconds: Int32 = 0, linkName: String = "",
                deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, xattrs: [String: [UInt8]] = [:]) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.linkName = linkName
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.xattrs = xattrs
    }
}

/// Where bytes come from, a chunk at a time (a file, a decompressor, a download).
public protocol ByteSource {
    /// Up to `maximum` bytes; empty at the end.
    mutating func read(maximum: Int) throws -> [UInt8]
}

/// Bytes held in memory, as a `ByteSource`.
public struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public mutating func read(maximum: Int) throws -> [UInt8] {
        let end = min(bytes.count, offset + maximum)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// A tar archive that cannot be read.
public struct TarError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension TarError: FailureDescribing {
    /// A damaged archive stays damaged.
    public var failure: Failure { Failure(action: "read a tar archive", cause: message, handling: .fixInput) }
}
