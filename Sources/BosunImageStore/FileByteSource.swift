public import BosunArchive
import BosunModel
import Crypto
import Foundation

/// A file read a chunk at a time.
public struct FileByteSource: ByteSource {
    let handle: FileHandle

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TarError("cannot open \(path)") }
        self.handle = handle
    }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        Array(try handle.read(upToCount: maximum) ?? Data())
    }

    public func close() { try? handle.close() }
}

/// Passes bytes through while computing their SHA-256 and counting them.
public struct DigestingByteSource<Upstream: ByteSource>: ByteSource {
    var upstream: Upstream
    var hasher = SHA256()
    public private(set) var count: Int64 = 0

    public init(_ upstream: Upstream) { self.upstream = upstream }

    public mutating func read(maximum: Int) throws -> [UInt8] {
        let chunk = try upstream.read(maximum: maximum)
        hasher.update(data: chunk)
        count += Int64(chunk.count)
        return chunk
    }

    /// `sha256:<hex>` of everything read so far.
    public func digest() -> String {
        "sha256:" + Hex.encode(hasher.finalize())
    }
}
