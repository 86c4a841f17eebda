public import BosunImageSpec
import BosunModel
import Crypto
import Foundation

extension BlobStore {
    /// Whether the store holds `digest` with its bytes intact. A stored blob whose bytes no longer hash to its
    /// digest (damaged on disk) is removed, so that the import or pull asking stores it again from its source
    /// instead of keeping the damage.
    public func containsIntact(_ digest: ContentDigest) -> Bool {
        guard contains(digest) else { return false }
        guard digest.algorithm == "sha256", let handle = FileHandle(forReadingAtPath: path(digest)) else { return true }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        if Hex.encode(hasher.finalize()) == digest.hex { return true }
        try? remove(digest)
        return false
    }
}
