import BosunImageSpec
import BosunImageStore
import BosunModel
import BosunRegistry
import Foundation
import Synchronization
import Testing

/// Pulls from a real docker-registry on 127.0.0.1 (skipped when it is not installed, failing under CI).
@Suite(.serialized, .enabled(if: TestTools.shouldRun, "needs docker-registry, skopeo, openssl, apache2-utils, python3, curl"))
struct RegistryPullTests {
    /// Builds the standard image in a layout under `directory`, pushes it as `repository:tag`, and pulls it.
    func pushStandard(_ registry: TestRegistry, _ directory: String, repository: String, tag: String = "1", format: String = "oci",
                      randomBytes: Int = 256 << 10) throws -> TestImageBuilder.Built {
        var builder = try TestImageBuilder(layout: directory + "/layout")
        let built = try builder.standardImage(tag: tag, randomBytes: randomBytes, scratch: directory)
        try registry.push(layout: directory + "/layout", tag: tag, repository: repository, format: format)
        return built
    }

    func client(_ directory: String, _ configuration: RegistryConfiguration = RegistryConfiguration(platform: .linux(machine: "x86_64")))
        throws -> (RegistryClient, BlobStore) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try BlobStore(root: directory + "/store")
        return (RegistryClient(store: store, configuration: configuration), store)
    }

    @Test func pullsAnOCIImageOverPlainHTTP() async throws {
        try await withRegistry { registry, directory in
            let built = try pushStandard(registry, directory, repository: "app/oci")
            let (client, store) = try client(directory)
            let events = Mutex<[PullProgress]>([])
            let image = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/app/oci:1")) { event in events.withLock { $0.append(event) } }
            await client.shutdown()
            #expect(image.manifest.mediaType == MediaTypes.ociManifest)
            #expect(image.resolvedDigest == image.manifestDigest)
            #expect(image.layers.count == 3)
            #expect(image.imageConfig.config?.cmd == ["/bin/busybox", "echo", "1"])
            #expect(image.config.digest.description == built.config.digest)
            for layer in image.layers { #expect(store.contains(layer.digest)) }
            #expect(store.contains(image.config.digest) && store.contains(image.manifestDigest))
            let done = events.withLock { $0.filter { $0.phase == .done } }
            #expect(done.count == 4)
            #expect(done.allSatisfy { $0.completed == $0.total })
            // A second pull finds everything stored.
            let (again, _) = try self.client(directory)
            let cached = Mutex<[PullProgress.Phase]>([])
            _ = try await again.pull(try ImageReference(parsing: "\(registry.hostPort)/app/oci:1")) { event in cached.withLock { $0.append(event.phase) } }
            await again.shutdown()
            #expect(cached.withLock { $0 } == Array(repeating: .cached, count: 4))
        }
    }

    @Test func pullsADockerSchema2Image() async throws {
        try await withRegistry { registry, directory in
            _ = try pushStandard(registry, directory, repository: "app/docker", format: "v2s2")
            let (client, store) = try client(directory)
            let image = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/app/docker:1"))
            await client.shutdown()
            #expect(image.manifest.mediaType == MediaTypes.dockerManifest)
            #expect(image.layers.allSatisfy { $0.mediaType == MediaTypes.dockerLayerGzip })
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
        }
    }

    @Test func picksTheHostPlatformFromAnIndexAndPinsByDigest() async throws {
        try await withRegistry { registry, directory in
            var builder = try TestImageBuilder(layout: directory + "/layout")
            _ = try builder.standardImage(tag: "amd64", architecture: "amd64", scratch: directory)
            _ = try builder.standardImage(tag: "arm64", architecture: "arm64", scratch: directory)
            var entries: [[String: Any]] = []
            for (tag, architecture, variant) in [("amd64", "amd64", nil), ("arm64", "arm64", "v8")] as [(String, String, String?)] {
                try registry.push(layout: directory + "/layout", tag: tag, repository: "multi", as: "only-\(tag)")
                let bytes = try registry.rawManifest("multi", "only-\(tag)")
                var platform: [String: Any] = ["architecture": architecture, "os": "linux"]
                if let variant { platform["variant"] = variant }
                entries.append(["mediaType": MediaTypes.ociManifest, "digest": TestImageBuilder.sha256(Data(bytes)), "size": bytes.count, "platform": platform])
            }
            let index = try JSONSerialization.data(withJSONObject: ["schemaVersion": 2, "mediaType": MediaTypes.ociIndex, "manifests": entries], options: [.sortedKeys])
            try registry.putManifest("multi", "latest", bytes: Array(index), mediaType: MediaTypes.ociIndex)
            let indexDigest = try ContentDigest(parsing: TestImageBuilder.sha256(index))

            for (machine, architecture) in [("x86_64", "amd64"), ("aarch64", "arm64")] {
                let (client, store) = try client(directory + "/\(machine)", RegistryConfiguration(platform: .linux(machine: machine)))
                let image = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/multi:latest"))
                #expect(image.resolvedDigest == indexDigest)
                #expect(image.manifestDigest != indexDigest)
                #expect(image.platform?.architecture == architecture)
                #expect(image.imageConfig.architecture == architecture)
                #expect(store.contains(indexDigest) && store.contains(image.manifestDigest))
                // Pinned by the digest the tag resolved to: no tag lookup, same image.
                let pinned = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/multi@\(indexDigest)"))
                #expect(pinned.manifestDigest == image.manifestDigest)
                await client.shutdown()
            }

            // A platform the index does not offer, and a digest the registry does not have.
            let (client, _) = try client(directory + "/s390x", RegistryConfiguration(platform: .linux(machine: "s390x")))
            let reference = try ImageReference(parsing: "\(registry.hostPort)/multi:latest")
            let error = await #expect(throws: RegistryError.self) { try await client.pull(reference) }
            #expect(error?.code == .platformNotFound)
            #expect(error?.description == "pull \(reference): no manifest for linux/s390x; the image is built for linux/amd64, linux/arm64/v8")
            let missing = try ImageReference(parsing: "\(registry.hostPort)/multi@sha256:" + String(repeating: "0", count: 64))
            let unknown = await #expect(throws: RegistryError.self) { try await client.pull(missing) }
            #expect(unknown?.description == "pull \(missing): manifest unknown (404); check the digest exists in this repository")
            let noTag = try ImageReference(parsing: "\(registry.hostPort)/multi:nope")
            let noTagError = await #expect(throws: RegistryError.self) { try await client.pull(noTag) }
            #expect(noTagError?.description == "pull \(noTag): manifest unknown (404); check the tag exists")
            await client.shutdown()
        }
    }

    @Test func basicAuthWithAnHtpasswdRegistry() async throws {
        try await withRegistry(.init(htpasswd: ("bosun", "s3cret-pw"))) { registry, directory in
            _ = try pushStandard(registry, directory, repository: "private/app")
            let reference = try ImageReference(parsing: "\(registry.hostPort)/private/app:1")
            // Anonymous: refused, with a hint and no secret.
            let (anonymous, _) = try client(directory + "/anon")
            let error = await #expect(throws: RegistryError.self) { try await anonymous.pull(reference) }
            await anonymous.shutdown()
            #expect(error?.code == .unauthorized)
            #expect(error?.description == "pull \(reference): \(registry.hostPort) refused anonymous access (401); configure credentials for \(registry.hostPort)")
            // Wrong password: refused, and the password never shows.
            var wrong = RegistryConfiguration(platform: .linux(machine: "x86_64"))
            wrong.credentials[registry.hostPort] = RegistryCredential(username: "bosun", password: "wrong-pw")
            let (refused, _) = try client(directory + "/wrong", wrong)
            let wrongError = await #expect(throws: RegistryError.self) { try await refused.pull(reference) }
            await refused.shutdown()
            #expect(wrongError?.code == .unauthorized)
            #expect(!(wrongError?.description.contains("wrong-pw") ?? true))
            // Credentials from a docker config.json.
            let configFile = directory + "/config.json"
            let auth = Data("bosun:s3cret-pw".utf8).base64EncodedString()
            try #"{"auths":{"http://\#(registry.hostPort)":{"auth":"\#(auth)"}}}"#.write(toFile: configFile, atomically: true, encoding: .utf8)
            var configuration = RegistryConfiguration(platform: .linux(machine: "x86_64"))
            try configuration.addCredentials(dockerConfigAt: configFile)
            let (client, store) = try client(directory + "/ok", configuration)
            let image = try await client.pull(reference)
            await client.shutdown()
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
        }
    }

    @Test func bearerTokensAreFetchedWithCredentialsAndCached() async throws {
        try await withRegistry { registry, directory in
            _ = try pushStandard(registry, directory, repository: "tokened/app")
            let proxy = try await TestProxy(upstream: registry.hostPort, directory: directory, options: .init(bearer: ("robot", "t0ken-pass")))
            defer { proxy.stop() }
            var configuration = RegistryConfiguration(platform: .linux(machine: "x86_64"))
            configuration.credentials[proxy.hostPort] = RegistryCredential(username: "robot", password: "t0ken-pass")
            let (client, store) = try client(directory, configuration)
            let image = try await client.pull(try ImageReference(parsing: "\(proxy.hostPort)/tokened/app:1"))
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
            #expect(await client.tokensFetched == 1)
            let log = proxy.log
            #expect(log.filter { $0.hasPrefix("issued token for repository%3Atokened/app%3Apull") || $0.hasPrefix("issued token for repository:tokened/app:pull") }.count == 1)
            // Every blob request after the first challenge carried the cached token.
            #expect(log.filter { $0.contains("/blobs/") }.allSatisfy { $0.contains("auth=Bearer") })
            await client.shutdown()

            // Wrong credentials: the token service refuses, and the message names no secret.
            var wrong = RegistryConfiguration(platform: .linux(machine: "x86_64"))
            wrong.credentials[proxy.hostPort] = RegistryCredential(username: "robot", password: "nope-pass")
            let (refused, _) = try self.client(directory + "/wrong", wrong)
            let reference = try ImageReference(parsing: "\(proxy.hostPort)/tokened/app:1")
            let error = await #expect(throws: RegistryError.self) { try await refused.pull(reference) }
            await refused.shutdown()
            #expect(error?.description == "pull \(reference): the token service of \(proxy.hostPort) refused the credentials (401); check the credentials for \(proxy.hostPort)")
        }
    }

    @Test func tlsWithATestCAInCertsD() async throws {
        let directory = try TestTools.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try TestPKI(directory: directory + "/pki")
        try await withRegistry(.init(tls: (pki.serverCertificate, pki.serverKey))) { registry, work in
            _ = try pushStandard(registry, work, repository: "secure/app")
            let host = "localhost:\(registry.port)"
            let reference = try ImageReference(parsing: "\(host)/secure/app:1")
            // The CA in certs.d/<host:port>/ca.crt: HTTPS, verified.
            let certs = work + "/certs.d"
            try FileManager.default.createDirectory(atPath: certs + "/\(host)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: pki.caCertificate, toPath: certs + "/\(host)/ca.crt")
            let (client, store) = try client(work + "/ok", RegistryConfiguration(certificatesDirectory: certs, platform: .linux(machine: "x86_64")))
            let image = try await client.pull(reference)
            await client.shutdown()
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
            // Another CA: the handshake fails with a hint naming certs.d.
            let otherCerts = work + "/other.d"
            try FileManager.default.createDirectory(atPath: otherCerts + "/\(host)", withIntermediateDirectories: true)
            let other = try TestPKI(directory: work + "/other-pki")
            try FileManager.default.copyItem(atPath: other.caCertificate, toPath: otherCerts + "/\(host)/ca.crt")
            let (untrusting, _) = try self.client(work + "/bad", RegistryConfiguration(certificatesDirectory: otherCerts, platform: .linux(machine: "x86_64")))
            let error = await #expect(throws: RegistryError.self) { try await untrusting.pull(reference) }
            await untrusting.shutdown()
            #expect(error?.code == .tls)
            #expect(error?.description.contains("trust the registry's CA in \(otherCerts)/\(host)/ca.crt") == true)
        }
    }

    @Test func aCorruptedBlobIsRefusedAndNotStored() async throws {
        try await withRegistry { registry, directory in
            let built = try pushStandard(registry, directory, repository: "app/corrupt")
            let victim = built.layers[1]
            let path = registry.blobDataPath(String(victim.digest.dropFirst(7)))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 2] ^= 0xff
            try bytes.write(to: URL(fileURLWithPath: path))
            let (client, store) = try client(directory)
            let reference = try ImageReference(parsing: "\(registry.hostPort)/app/corrupt:1")
            let error = await #expect(throws: RegistryError.self) { try await client.pull(reference) }
            await client.shutdown()
            #expect(error?.code == .digestMismatch)
            #expect(error?.description.hasPrefix("pull \(reference): blob sha256:\(victim.digest.dropFirst(7).prefix(12)) does not match") == true)
            #expect(!store.contains(try ContentDigest(parsing: victim.digest)))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/store/tmp").isEmpty)
        }
    }

    @Test func anInterruptedDownloadResumesWithRange() async throws {
        try await withRegistry { registry, directory in
            let built = try pushStandard(registry, directory, repository: "app/flaky", randomBytes: 1 << 20)
            let proxy = try await TestProxy(upstream: registry.hostPort, directory: directory, options: .init(cutAfter: 100_000))
            defer { proxy.stop() }
            let (client, store) = try client(directory, RegistryConfiguration(platform: .linux(machine: "x86_64"), initialBackoff: .milliseconds(20)))
            let retries = Mutex(0)
            let image = try await client.pull(try ImageReference(parsing: "\(proxy.hostPort)/app/flaky:1")) { event in
                if event.phase == .retrying { retries.withLock { $0 += 1 } }
            }
            await client.shutdown()
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
            let log = proxy.log
            let big = built.layers[1].digest
            #expect(log.contains { $0.hasPrefix("cut /v2/app/flaky/blobs/\(big) after 100000") })
            #expect(log.contains { $0.contains("/blobs/\(big)") && $0.contains("range=bytes=") }, "\(log)")
            #expect(retries.withLock { $0 } >= 1)
        }
    }

    @Test func blobRedirectsAreFollowedWithoutCredentials() async throws {
        try await withRegistry { registry, directory in
            _ = try pushStandard(registry, directory, repository: "app/redirected")
            let proxy = try await TestProxy(upstream: registry.hostPort, directory: directory, options: .init(bearer: ("robot", "pw"), redirectBlobs: true))
            defer { proxy.stop() }
            var configuration = RegistryConfiguration(platform: .linux(machine: "x86_64"))
            configuration.credentials[proxy.hostPort] = RegistryCredential(username: "robot", password: "pw")
            let (client, store) = try client(directory, configuration)
            let image = try await client.pull(try ImageReference(parsing: "\(proxy.hostPort)/app/redirected:1"))
            await client.shutdown()
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
            let storage = proxy.log.filter { $0.hasPrefix("GET /storage/") }
            #expect(storage.count == 4)
            #expect(storage.allSatisfy { $0.contains("auth=none") })
        }
    }

    @Test func aDeadMirrorFallsBackToTheRegistry() async throws {
        try await withRegistry { registry, directory in
            _ = try pushStandard(registry, directory, repository: "app/mirrored")
            let deadPort = try TestTools.freePort()
            let configuration = RegistryConfiguration(mirrors: [registry.hostPort: ["http://127.0.0.1:\(deadPort)"]], platform: .linux(machine: "x86_64"),
                                                      maximumAttempts: 1, connectTimeout: .seconds(2))
            let (client, store) = try client(directory, configuration)
            let image = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/app/mirrored:1"))
            await client.shutdown()
            #expect(image.layers.allSatisfy { store.contains($0.digest) })
        }
    }
}

/// Not a test: cold pull of a 4-layer image from the loopback registry against `skopeo copy` to an OCI
/// directory, in the same run. `BOSUN_REGISTRY_MEASURE=1 swift test --filter RegistryMeasurement`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BOSUN_REGISTRY_MEASURE"] != nil))
struct RegistryMeasurement {
    @Test func coldPullAgainstSkopeo() async throws {
        try await withRegistry { registry, directory in
            var builder = try TestImageBuilder(layout: directory + "/layout")
            let layerBytes = 32 << 20
            var layers: [[String: Data]] = []
            for i in 0..<4 {
                let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom")).read(upToCount: layerBytes) ?? Data()
                layers.append(["data/\(i).bin": random])
            }
            let built = try builder.image(tag: "big", architecture: "amd64", layers: layers, scratch: directory)
            try registry.push(layout: directory + "/layout", tag: "big", repository: "bench/big")
            let total = built.layers.reduce(0) { $0 + $1.size }
            var ours: [Duration] = []
            var skopeo: [Duration] = []
            for round in 0..<5 {
                let store = try BlobStore(root: directory + "/store-\(round)")
                let client = RegistryClient(store: store, configuration: RegistryConfiguration(platform: .linux(machine: "x86_64")))
                let started = ContinuousClock.now
                _ = try await client.pull(try ImageReference(parsing: "\(registry.hostPort)/bench/big:big"))
                ours.append(ContinuousClock.now - started)
                await client.shutdown()
                try FileManager.default.removeItem(atPath: directory + "/store-\(round)")
                let skopeoStarted = ContinuousClock.now
                try TestTools.run("/usr/bin/skopeo", ["--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                                                      "docker://\(registry.hostPort)/bench/big:big", "oci:\(directory)/skopeo-\(round):big"])
                skopeo.append(ContinuousClock.now - skopeoStarted)
                try FileManager.default.removeItem(atPath: directory + "/skopeo-\(round)")
            }
            func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
            print("cold pull of \(total >> 20) MiB in 4 layers: bosun \(median(ours)) (\(ours)), skopeo copy \(median(skopeo)) (\(skopeo))")
        }
    }
}
