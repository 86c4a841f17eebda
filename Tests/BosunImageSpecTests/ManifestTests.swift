import BosunImageSpec
import Testing

@Suite("Image manifests and platforms")
struct ManifestTests {
    static let digestA = "sha256:" + String(repeating: "a", count: 64)
    static let digestB = "sha256:" + String(repeating: "b", count: 64)

    @Test("an OCI index picks the host's platform, variants included")
    func index() throws {
        let json = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.digestA)","size":10,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.digestB)","size":11,"platform":{"architecture":"amd64","os":"linux"}}]}
            """
        guard case .index(let index) = try ManifestDocument.parse(Array(json.utf8), mediaType: nil) else {
            Issue.record("not an index")
            return
        }
        #expect(index.manifest(for: .linux(machine: "x86_64"))?.digest.description == Self.digestB)
        #expect(index.manifest(for: .linux(machine: "aarch64"))?.digest.description == Self.digestA)
        #expect(index.manifest(for: .linux(machine: "s390x")) == nil)
    }

    @Test("a Docker schema 2 manifest from its Content-Type; schema 1 refused")
    func docker() throws {
        let json = """
            {"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\(Self.digestA)","size":7},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"\(Self.digestB)","size":9}]}
            """
        guard case .manifest(let manifest) = try ManifestDocument.parse(Array(json.utf8), mediaType: MediaTypes.dockerManifest) else {
            Issue.record("not a manifest")
            return
        }
        #expect(manifest.layers.count == 1)
        #expect(MediaTypes.layerCompression(manifest.layers[0].mediaType) == .gzip)
        #expect(throws: ImageSpecError.self) {
            try ManifestDocument.parse(Array(#"{"schemaVersion":1,"fsLayers":[]}"#.utf8), mediaType: MediaTypes.dockerSchema1Signed)
        }
        #expect(throws: ImageSpecError.self) { try ManifestDocument.parse(Array("not json".utf8), mediaType: nil) }
    }

    @Test("digests are validated")
    func digests() {
        #expect(throws: ImageSpecError.self) { try ContentDigest(parsing: "sha256:abc") }
        #expect(throws: ImageSpecError.self) { try ContentDigest(parsing: "md5:" + String(repeating: "a", count: 32)) }
        #expect(throws: ImageSpecError.self) { try ContentDigest(parsing: "sha256:" + String(repeating: "A", count: 64)) }
        #expect((try? ContentDigest(parsing: Self.digestA))?.short == "sha256:aaaaaaaaaaaa")
    }
}
