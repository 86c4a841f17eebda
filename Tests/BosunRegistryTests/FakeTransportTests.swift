import BosunImageSpec
import BosunImageStore
import BosunModel
import BosunRegistry
import Crypto
import Foundation
import Testing

/// A scripted transport: answers each request with the next response its handler gives, and records requests.
final class FakeTransport: RegistryTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [RegistryRequest] = []
    private let handler: @Sendable (RegistryRequest, Int) -> RegistryResponse

    init(_ handler: @escaping @Sendable (RegistryRequest, Int) -> RegistryResponse) { self.handler = handler }

    var requests: [RegistryRequest] { lock.withLock { recorded } }

    func send(_ request: RegistryRequest) async throws -> RegistryResponse {
        let count = lock.withLock { () -> Int in
            recorded.append(request)
            return recorded.filter { $0.url == request.url }.count
        }
        return handler(request, count)
    }

    func shutdown() async {}
}

/// A one-layer image held in memory.
struct MemoryImage {
    let layer: [UInt8]
    let config: [UInt8]
    let manifest: [UInt8]
    var layerDigest: String { MemoryImage.digest(layer) }
    var configDigest: String { MemoryImage.digest(config) }
    var manifestDigest: String { MemoryImage.digest(manifest) }

    init(layerSize: Int = 300_000) {
        layer = (0..<layerSize).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        manifest = Array("""
        {"schemaVersion":2,"mediaType":"\(MediaTypes.ociManifest)",\
        "config":{"mediaType":"\(MediaTypes.ociConfig)","digest":"\(MemoryImage.digest(config))","size":\(config.count)},\
        "layers":[{"mediaType":"\(MediaTypes.ociLayerGzip)","digest":"\(MemoryImage.digest(layer))","size":\(layer.count)}]}
        """.utf8)
    }

    static func digest(_ bytes: [UInt8]) -> String { "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// Serves the image like a registry; `override` may answer first.
    func serve(_ request: RegistryRequest, _ count: Int, override: (RegistryRequest, Int) -> RegistryResponse? = { _, _ in nil }) -> RegistryResponse {
        if let answer = override(request, count) { return answer }
        if request.url.contains("/manifests/") {
            return RegistryResponse(status: 200, headers: [("Content-Type", MediaTypes.ociManifest)], body: ResponseBody(chunks: [manifest]))
        }
        for blob in [layer, config] where request.url.hasSuffix("/blobs/\(MemoryImage.digest(blob))") {
            return RegistryResponse(status: 200, body: ResponseBody(chunks: stride(from: 0, to: blob.count, by: 65536).map { Array(blob[$0..<min($0 + 65536, blob.count)]) }))
        }
        return RegistryResponse(status: 404, body: ResponseBody(chunks: [Array(#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#.utf8)]))
    }
}

struct FakeTransportTests {
    func makeClient(_ transport: FakeTransport) throws -> (RegistryClient, BlobStore, String) {
        let directory = try TestTools.makeTemporaryDirectory()
        let store = try BlobStore(root: directory + "/store")
        let configuration = RegistryConfiguration(platform: .linux(machine: "x86_64"), initialBackoff: .milliseconds(1))
        return (RegistryClient(store: store, configuration: configuration, transport: transport), store, directory)
    }

    @Test func retriesServerErrorsAndRateLimits() async throws {
        let image = MemoryImage()
        let transport = FakeTransport { request, count in
            image.serve(request, count) { request, count in
                if request.url.contains("/manifests/") && count == 1 { return RegistryResponse(status: 503) }
                if request.url.contains("/blobs/") && count == 1 { return RegistryResponse(status: 429) }
                return nil
            }
        }
        let (client, store, directory) = try makeClient(transport)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pulled = try await client.pull(try ImageReference(parsing: "registry.example/app:1"))
        #expect(store.contains(pulled.layers[0].digest))
        #expect(transport.requests.count == 6)
        #expect(transport.requests[0].url == "https://registry.example/v2/app/manifests/1")
        #expect(transport.requests[0].header("accept") == MediaTypes.manifestAccept.joined(separator: ", "))
    }

    @Test func aPinnedDigestMustMatchWhatTheRegistrySends() async throws {
        let image = MemoryImage()
        let transport = FakeTransport { request, count in image.serve(request, count) }
        let (client, store, directory) = try makeClient(transport)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wrong = "sha256:" + String(repeating: "ab", count: 32)
        let reference = try ImageReference(parsing: "registry.example/app@\(wrong)")
        let error = await #expect(throws: RegistryError.self) { try await client.pull(reference) }
        #expect(error?.code == .digestMismatch)
        #expect(error?.description == "pull \(reference): the manifest from registry.example has digest \(try ContentDigest(parsing: image.manifestDigest).short), not sha256:abababababab; the registry served other content for a pinned digest")
        #expect(store.all().isEmpty)
        // The right digest: no tag lookup, the digest is requested.
        _ = try await client.pull(try ImageReference(parsing: "registry.example/app@\(image.manifestDigest)"))
        #expect(transport.requests.last { $0.url.contains("/manifests/") }?.url == "https://registry.example/v2/app/manifests/\(image.manifestDigest)")
    }

    @Test(arguments: [true, false])
    func resumesAPartialBlobLeftByAnEarlierRun(serverHonoursRange: Bool) async throws {
        let image = MemoryImage()
        let transport = FakeTransport { request, count in
            image.serve(request, count) { request, _ in
                guard serverHonoursRange, let range = request.header("range"), request.url.hasSuffix(image.layerDigest) else { return nil }
                let start = Int(range.dropFirst(6).dropLast())!
                return RegistryResponse(status: 206, headers: [("Content-Range", "bytes \(start)-\(image.layer.count - 1)/\(image.layer.count)")],
                                        body: ResponseBody(chunks: [Array(image.layer[start...])]))
            }
        }
        let (client, store, directory) = try makeClient(transport)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // What an interrupted earlier download leaves: the first 123456 bytes in the store's partial file.
        let partial = directory + "/store/tmp/\(image.layerDigest.dropFirst(7)).partial"
        try Data(image.layer[..<123_456]).write(to: URL(fileURLWithPath: partial))
        let pulled = try await client.pull(try ImageReference(parsing: "registry.example/app:1"))
        #expect(try store.read(pulled.layers[0].digest) == image.layer)
        let layerRequests = transport.requests.filter { $0.url.hasSuffix(image.layerDigest) }
        #expect(layerRequests.map { $0.header("range") } == [Optional("bytes=123456-")])
    }

    @Test func concurrentPullsSharingALayerDownloadItOnce() async throws {
        let image = MemoryImage()
        let transport = FakeTransport { request, count in image.serve(request, count) }
        let (client, store, directory) = try makeClient(transport)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reference = try ImageReference(parsing: "registry.example/app:1")
        async let first = client.pull(reference)
        async let second = client.pull(reference)
        let (a, b) = try await (first, second)
        #expect(a.manifestDigest == b.manifestDigest)
        #expect(try store.read(a.layers[0].digest) == image.layer)
        #expect(transport.requests.filter { $0.url.hasSuffix(image.layerDigest) }.count == 1)
    }
}
