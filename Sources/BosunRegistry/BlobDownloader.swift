import BosunImageSpec
import BosunImageStore
import BosunModel

/// Downloads the blobs of one pull: skips stored ones, runs a bounded number at once, retries transient
/// failures with backoff, resumes with `Range` from what the blob writer already holds, and verifies digest and
/// size as bytes stream into the store.
struct BlobDownloader: Sendable {
    let client: RegistryClient
    let endpoint: RegistryHost
    let reference: ImageReference
    let progress: PullProgressHandler?

    var object: String { reference.description }

    /// Downloads `layers` with at most `maximumConcurrentDownloads` at once; each digest once.
    func downloadAll(_ layers: [Descriptor]) async throws {
        var seen = Set<ContentDigest>()
        let unique = layers.enumerated().filter { seen.insert($0.element.digest).inserted }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = unique.makeIterator()
            for _ in 0..<client.configuration.maximumConcurrentDownloads {
                guard let (index, layer) = next.next() else { break }
                group.addTask { try await download(layer, layer: index) }
            }
            while try await group.next() != nil {
                if let (index, layer) = next.next() { group.addTask { try await download(layer, layer: index) } }
            }
        }
    }

    /// Downloads one blob into the store unless it is there already (or being downloaded by another pull).
    func download(_ descriptor: Descriptor, layer: Int?) async throws {
        let ran = try await client.downloads.run(descriptor.digest) { try await downloadAlone(descriptor, layer: layer) }
        if !ran {
            progress?(PullProgress(digest: descriptor.digest, layer: layer, phase: .cached, completed: descriptor.size, total: descriptor.size))
        }
    }

    private func downloadAlone(_ descriptor: Descriptor, layer: Int?) async throws {
        let digest = descriptor.digest
        let total = descriptor.size
        func report(_ phase: PullProgress.Phase, _ completed: Int64) {
            progress?(PullProgress(digest: digest, layer: layer, phase: phase, completed: completed, total: total))
        }
        guard digest.algorithm == "sha256" else {
            throw RegistryError(.invalidManifest, object: object, reason: "blob \(digest.short) uses \(digest.algorithm); only sha256 is supported")
        }
        if client.store.containsIntact(digest) {
            report(.cached, total)
            return
        }
        var writer: BlobWriter
        do { writer = try client.store.writer(for: digest, size: total) } catch {
            throw RegistryError(.storage, object: object, reason: "cannot write blob \(digest.short): \(error)")
        }
        var writerOpen = true
        // Closing a BlobWriter means committing it: a complete, matching blob is stored; anything else is dropped.
        defer { if writerOpen { _ = try? writer.commit() } }
        report(.downloading, writer.resumeOffset)
        try await client.withRetries(object: object, onRetry: { report(.retrying, writer.written) }) {
            if writer.written == total { return }
            let offset = writer.written
            var headers: [(name: String, value: String)] = []
            if offset > 0 { headers.append(("Range", "bytes=\(offset)-")) }
            let response = try await client.request(endpoint, repository: reference.repository, path: "/blobs/\(digest)", headers: headers,
                                                    object: object, isManifest: false, byDigest: true)
            if offset > 0 && !(response.status == 206 && BlobDownloader.rangeStart(response.header("content-range")) == offset) {
                // The registry sent the whole blob (or another range): start over.
                _ = try? writer.commit()
                do { writer = try client.store.writer(for: digest, size: total) } catch {
                    writerOpen = false
                    throw RegistryError(.storage, object: object, reason: "cannot write blob \(digest.short): \(error)")
                }
                if response.status == 206 {
                    throw RegistryError(.network, object: object, reason: "\(endpoint) answered a range request for \(digest.short) with another range")
                }
            }
            do {
                for try await chunk in response.body {
                    guard writer.written + Int64(chunk.count) <= total else {
                        throw RegistryError(.digestMismatch, object: object, reason: "blob \(digest.short) is larger than its descriptor's \(total) bytes; not stored",
                                            hint: "the registry's copy is corrupt; push the image again")
                    }
                    try writer.write(chunk)
                    report(.downloading, writer.written)
                }
            } catch let error as RegistryError {
                throw error
            } catch let error as UnpackError {
                throw RegistryError(.storage, object: object, reason: "cannot write blob \(digest.short): \(error)")
            } catch {
                throw RegistryError(.network, object: object, reason: "the download of \(digest.short) from \(endpoint) broke off at \(writer.written) of \(total) bytes: \(TransportFailure.words(error))",
                                    hint: "check the network")
            }
            if writer.written < total {
                throw RegistryError(.network, object: object, reason: "the download of \(digest.short) from \(endpoint) ended at \(writer.written) of \(total) bytes",
                                    hint: "check the network")
            }
        }
        writerOpen = false
        do { _ = try writer.commit() } catch {
            throw RegistryError(.digestMismatch, object: object, reason: "\(error)", hint: "the registry's copy is corrupt; push the image again")
        }
        report(.done, total)
    }

    /// The first byte of `Content-Range: bytes <start>-<end>/<size>`.
    static func rangeStart(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        return Int64(header.dropFirst(6).prefix { $0 != "-" })
    }
}
