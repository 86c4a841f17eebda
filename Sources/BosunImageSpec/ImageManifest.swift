import Foundation

/// An image manifest (OCI or Docker schema 2): a config blob and layers, bottom first.
public struct ImageManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String?, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// An image index (OCI) or manifest list (Docker): one manifest per platform.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    /// The manifest for `platform`: an exact variant match first, then any accepted one.
    public func manifest(for platform: Platform) -> Descriptor? {
        let candidates = manifests.filter { descriptor in
            guard let p = descriptor.platform else { return false }
            return platform.accepts(p) && descriptor.mediaType != "application/vnd.in-toto+json"
        }
        return candidates.first { $0.platform?.variant == platform.variant } ?? candidates.first
    }
}

/// A fetched manifest document, identified by its media type.
public enum ManifestDocument: Sendable, Hashable {
    case index(ImageIndex)
    case manifest(ImageManifest)

    /// The largest manifest bosun reads (registries limit them to 4 MiB too).
    public static let maximumSize = 4 << 20

    /// Parses a manifest body. `mediaType` is the response's Content-Type; the document's own `mediaType`
    /// field wins when present. Schema 1 is refused with a clear error.
    public static func parse(_ bytes: [UInt8], mediaType: String?) throws(ImageSpecError) -> ManifestDocument {
        guard bytes.count <= maximumSize else { throw .invalid("manifest of \(bytes.count) bytes is larger than \(maximumSize)") }
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [JSONProbe]?
            var layers: [JSONProbe]?
        }
        struct JSONProbe: Decodable {}
        let data = Data(bytes)
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: data) } catch {
            throw .invalid("the manifest is not valid JSON")
        }
        let type = probe.mediaType ?? mediaType?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        if probe.schemaVersion == 1 || type == MediaTypes.dockerSchema1 || type == MediaTypes.dockerSchema1Signed {
            throw .unsupported("Docker schema 1 manifests are not supported; push the image again with a current client")
        }
        let isIndex = type == MediaTypes.ociIndex || type == MediaTypes.dockerManifestList || (type == nil && probe.manifests != nil)
        do {
            if isIndex { return .index(try JSONDecoder().decode(ImageIndex.self, from: data)) }
            guard type == MediaTypes.ociManifest || type == MediaTypes.dockerManifest || (type == nil && probe.layers != nil) else {
                throw ImageSpecError.unsupported("manifest media type \(type ?? "(none)") is not an image manifest or index")
            }
            return .manifest(try JSONDecoder().decode(ImageManifest.self, from: data))
        } catch let error as ImageSpecError {
            throw error
        } catch {
            throw .invalid("the manifest does not match its media type \(type ?? "(none)"): \(error)")
        }
    }
}
