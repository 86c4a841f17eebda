import Crypto
import Foundation

/// Builds OCI image layouts from busybox-static and generated files, digests computed here.
struct TestImageBuilder {
    struct Blob {
        var digest: String
        var size: Int
        var mediaType: String
    }
    struct Built {
        var manifest: Blob
        var config: Blob
        var layers: [Blob]
    }

    let layout: String
    private(set) var index: [[String: Any]] = []

    init(layout: String) throws {
        self.layout = layout
        try FileManager.default.createDirectory(atPath: layout + "/blobs/sha256", withIntermediateDirectories: true)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: layout + "/oci-layout", atomically: true, encoding: .utf8)
    }

    static func sha256(_ data: Data) -> String { "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func writeBlob(_ data: Data, mediaType: String) throws -> Blob {
        let digest = TestImageBuilder.sha256(data)
        try data.write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.dropFirst(7)))
        return Blob(digest: digest, size: data.count, mediaType: mediaType)
    }

    /// A gzip layer of the files in `files` (path in the layer → contents); returns (blob, diffID).
    func layer(_ files: [String: Data], scratch: String) throws -> (Blob, String) {
        let root = scratch + "/layer-\(UUID().uuidString)"
        for (path, contents) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try contents.write(to: URL(fileURLWithPath: full))
            chmod(full, 0o755)
        }
        let tar = root + ".tar"
        try TestTools.run("/usr/bin/tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", root, "-cf", tar, "."])
        try TestTools.run("/usr/bin/gzip", ["-n", "-1", tar])
        let tarData = try Data(contentsOf: URL(fileURLWithPath: tar + ".gz"))
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: tar + ".gz") }
        // The diffID is the digest of the uncompressed tar.
        let uncompressed = try TestTools.run("/bin/sh", ["-c", "gzip -dc '\(tar).gz' | sha256sum"])
        let diffID = "sha256:" + uncompressed.prefix(64)
        return (try writeBlob(tarData, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip"), diffID)
    }

    /// An image of `layers` for `architecture`, named `tag` in the layout's index.json.
    mutating func image(tag: String, architecture: String, layers: [[String: Data]], scratch: String) throws -> Built {
        var blobs: [Blob] = []
        var diffIDs: [String] = []
        for files in layers {
            let (blob, diffID) = try layer(files, scratch: scratch)
            blobs.append(blob)
            diffIDs.append(diffID)
        }
        let config: [String: Any] = [
            "architecture": architecture, "os": "linux",
            "config": ["Cmd": ["/bin/busybox", "echo", tag], "Env": ["PATH=/bin"]],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        let configBlob = try writeBlob(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), mediaType: "application/vnd.oci.image.config.v1+json")
        func descriptor(_ blob: Blob) -> [String: Any] { ["mediaType": blob.mediaType, "digest": blob.digest, "size": blob.size] }
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": descriptor(configBlob), "layers": blobs.map(descriptor),
        ]
        let manifestBlob = try writeBlob(try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]), mediaType: "application/vnd.oci.image.manifest.v1+json")
        var entry = descriptor(manifestBlob)
        entry["annotations"] = ["org.opencontainers.image.ref.name": tag]
        index.append(entry)
        let document: [String: Any] = ["schemaVersion": 2, "manifests": index]
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: URL(fileURLWithPath: layout + "/index.json"))
        return Built(manifest: manifestBlob, config: configBlob, layers: blobs)
    }

    /// The standard test image: busybox, a block of random bytes, a small text file.
    mutating func standardImage(tag: String, architecture: String = "amd64", randomBytes: Int = 256 << 10, scratch: String) throws -> Built {
        let busybox = try Data(contentsOf: URL(fileURLWithPath: "/usr/bin/busybox"))
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom")).read(upToCount: randomBytes) ?? Data()
        return try image(tag: tag, architecture: architecture, layers: [
            ["bin/busybox": busybox],
            ["data/random.bin": random],
            ["etc/hello.txt": Data("hello from \(tag) \(architecture)\n".utf8)],
        ], scratch: scratch)
    }
}
