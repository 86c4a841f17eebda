import BosunImageSpec
import BosunImageStore
import Crypto
import Foundation
import BosunTestSupport
import Testing

@Suite("Blob store")
struct BlobStoreTests {
    func digest(_ bytes: [UInt8]) -> ContentDigest {
        try! ContentDigest(parsing: "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
    }

    @Test("blobs are stored by digest; a wrong digest or size stores nothing; a partial download resumes")
    func blobs() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try BlobStore(root: root)
        let bytes = Array("layer bytes".utf8)
        let path = try store.put(bytes, digest: digest(bytes))
        #expect(store.contains(digest(bytes)) && path.hasSuffix(digest(bytes).hex))
        #expect(try store.read(digest(bytes)) == bytes)

        let other = Array("other".utf8)
        #expect(throws: (any Error).self) { try store.put(bytes, digest: digest(other)) }
        #expect(!store.contains(digest(other)))
        var tooBig = try store.writer(for: digest(bytes), size: 3)
        #expect(throws: (any Error).self) { try tooBig.write(bytes) }

        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        var first = try store.writer(for: digest(big), size: Int64(big.count))
        try first.write(Array(big.prefix(40_000)))  // the download breaks here
        first.suspend()  // as the process's end would: the partial file stays, its lock goes
        var resumed = try store.writer(for: digest(big), size: Int64(big.count))
        #expect(resumed.resumeOffset == 40_000)
        try resumed.write(Array(big.dropFirst(40_000)))
        _ = try resumed.commit()
        #expect(try store.read(digest(big)) == big)
        #expect(Set(store.all()) == [digest(bytes), digest(big)])
    }

    @Test("two writers of the same blob at once both commit it")
    func concurrentWriters() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try BlobStore(root: root)
        let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var first = try store.writer(for: digest(bytes), size: Int64(bytes.count))
        var second = try store.writer(for: digest(bytes), size: Int64(bytes.count))
        try first.write(Array(bytes.prefix(20_000)))
        try second.write(Array(bytes.prefix(20_000)))
        try first.write(Array(bytes.dropFirst(20_000)))
        try second.write(Array(bytes.dropFirst(20_000)))
        let stored = try first.commit()
        #expect(try second.commit() == stored)
        #expect(try store.read(digest(bytes)) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
    }

    @Test("a stored blob damaged on disk is not intact: it is removed so that it is stored again")
    func damaged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try BlobStore(root: root)
        let bytes = Array("layer bytes that will be damaged".utf8)
        let path = try store.put(bytes, digest: digest(bytes))
        #expect(store.containsIntact(digest(bytes)))
        var damaged = bytes
        damaged[5] ^= 0xff
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        #expect(store.contains(digest(bytes)))
        #expect(!store.containsIntact(digest(bytes)))
        #expect(!store.contains(digest(bytes)))
        _ = try store.put(bytes, digest: digest(bytes))
        #expect(try store.read(digest(bytes)) == bytes)
    }
}
