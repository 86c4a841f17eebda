import BosunImageSpec
import BosunImageStore
import BosunModel
import BosunRegistry
import Foundation
import Testing

/// Connection failures read as plain words — `cannot reach 127.0.0.1:PORT: connection refused` — not as the
/// description of NIO's or async-http-client's error (`connection reset (error set): Connection refused
/// (errno: 111)`, found by `make chaos`).
@Suite(.serialized)
struct RegistryConnectionErrorTests {
    static let garbage = ["errno", "error set", "NIO", "HTTPClientError", "IOError", "ChannelError"]

    @Test("a closed port on 127.0.0.1: connection refused")
    func closedPort() async throws {
        let directory = try TestTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try TestTools.freePort()  // bound, then closed: nothing listens there
        let client = RegistryClient(store: try BlobStore(root: directory + "/store"),
                                    configuration: RegistryConfiguration(platform: .linux(machine: "x86_64"), maximumAttempts: 1))
        let reference = try ImageReference(parsing: "127.0.0.1:\(port)/app/none:1")
        let error = await #expect(throws: RegistryError.self) { try await client.pull(reference) }
        await client.shutdown()
        let text = error?.description ?? ""
        #expect(text.contains("cannot reach 127.0.0.1:\(port): connection refused"), "\(text)")
        for word in Self.garbage { #expect(!text.contains(word), "\(text)") }
    }

    @Test("a connection cut in the middle of a blob: the download broke off, in plain words",
          .enabled(if: TestTools.shouldRun, "needs docker-registry, skopeo, openssl, apache2-utils, python3, curl"))
    func cutMidBody() async throws {
        try await withRegistry { registry, directory in
            var builder = try TestImageBuilder(layout: directory + "/layout")
            _ = try builder.standardImage(tag: "1", randomBytes: 1 << 20, scratch: directory)
            try registry.push(layout: directory + "/layout", tag: "1", repository: "app/cut", format: "oci")
            let proxy = try await TestProxy(upstream: registry.hostPort, directory: directory, options: .init(cutAfter: 100_000))
            defer { proxy.stop() }
            let client = RegistryClient(store: try BlobStore(root: directory + "/store"),
                                        configuration: RegistryConfiguration(platform: .linux(machine: "x86_64"), maximumAttempts: 1))
            let error = await #expect(throws: RegistryError.self) { try await client.pull(try ImageReference(parsing: "\(proxy.hostPort)/app/cut:1")) }
            await client.shutdown()
            let text = error?.description ?? ""
            #expect(text.contains("broke off at") && text.hasSuffix("the registry closed the connection before the end; check the network"), "\(text)")
            for word in Self.garbage { #expect(!text.contains(word), "\(text)") }
        }
    }
}
