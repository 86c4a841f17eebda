import Foundation

/// A docker-registry serving from a temporary directory on 127.0.0.1, with optional htpasswd auth and TLS.
final class TestRegistry: @unchecked Sendable {
    struct Options {
        var htpasswd: (user: String, password: String)?
        var tls: (certificate: String, key: String)?
    }

    let directory: String
    let port: Int
    let child: ChildProcess
    let options: Options
    var hostPort: String { "127.0.0.1:\(port)" }
    var storage: String { directory + "/storage" }

    init(directory: String, options: Options = Options()) async throws {
        try TestTools.requireTools()
        self.directory = directory
        self.options = options
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try TestTools.freePort()
        var config = """
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(directory)/storage
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)

        """
        if let tls = options.tls {
            config += "  tls:\n    certificate: \(tls.certificate)\n    key: \(tls.key)\n"
        }
        if let htpasswd = options.htpasswd {
            let line = try TestTools.run("/usr/bin/htpasswd", ["-nbB", "-C", "4", htpasswd.user, htpasswd.password])
            try line.trimmingCharacters(in: .whitespacesAndNewlines).write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            config += "auth:\n  htpasswd:\n    realm: test-realm\n    path: \(directory)/htpasswd\n"
        }
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        child = try ChildProcess(TestTools.registry, ["serve", directory + "/config.yml"], log: directory + "/registry.log")
        do {
            try await TestTools.waitForHTTP("\(options.tls == nil ? "http" : "https")://127.0.0.1:\(port)/v2/", insecure: true)
        } catch {
            child.stop()
            throw error
        }
    }

    /// Pushes `tag` of the OCI layout at `layout` as `repository:tag` (`format`: oci or v2s2).
    func push(layout: String, tag: String, repository: String, as remoteTag: String? = nil, format: String = "oci") throws {
        var arguments = ["--insecure-policy", "copy", "-q", "--dest-tls-verify=false", "--format", format]
        if let htpasswd = options.htpasswd { arguments += ["--dest-creds", "\(htpasswd.user):\(htpasswd.password)"] }
        arguments += ["oci:\(layout):\(tag)", "docker://\(hostPort)/\(repository):\(remoteTag ?? tag)"]
        try TestTools.run("/usr/bin/skopeo", arguments)
    }

    /// The raw manifest bytes the registry holds for `reference` (tag or digest), fetched with the full Accept list.
    func rawManifest(_ repository: String, _ reference: String) throws -> [UInt8] {
        let accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
        let text = try TestTools.run("/usr/bin/curl", ["-sf", "-H", "Accept: \(accept)", "http://\(hostPort)/v2/\(repository)/manifests/\(reference)"])
        return Array(text.utf8)
    }

    /// PUTs a manifest or index document.
    func putManifest(_ repository: String, _ reference: String, bytes: [UInt8], mediaType: String) throws {
        let file = directory + "/put-\(UUID().uuidString).json"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        try TestTools.run("/usr/bin/curl", ["-sf", "-X", "PUT", "-H", "Content-Type: \(mediaType)", "--data-binary", "@\(file)",
                                            "http://\(hostPort)/v2/\(repository)/manifests/\(reference)"])
    }

    /// The registry's own file holding a blob.
    func blobDataPath(_ hex: String) -> String {
        "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    func stop() { child.stop() }
}

/// Runs `body` with a fresh temporary directory and registry; stops the registry and removes the directory after.
func withRegistry<T>(_ options: TestRegistry.Options = .init(), _ body: (TestRegistry, String) async throws -> T) async throws -> T {
    let directory = try TestTools.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let registry = try await TestRegistry(directory: directory + "/registry-home", options: options)
    defer { registry.stop() }
    return try await body(registry, directory)
}
