/// A reference to content: media type, digest, size, and for index entries the platform.
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: ContentDigest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?
    public init(mediaType: String, digest: ContentDigest, size: Int64, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
    }
}

/// The platform an image is built for.
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, osVersion = "os.version", osFeatures = "os.features"
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// The platform of a Linux host from `uname -m`: `x86_64` → linux/amd64, `aarch64` → linux/arm64/v8, …
    public static func linux(machine: String) -> Platform {
        switch machine {
        case "x86_64", "amd64": return Platform(architecture: "amd64", os: "linux")
        case "aarch64", "arm64": return Platform(architecture: "arm64", os: "linux", variant: "v8")
        case "armv7l", "armv7": return Platform(architecture: "arm", os: "linux", variant: "v7")
        case "armv6l": return Platform(architecture: "arm", os: "linux", variant: "v6")
        case "i386", "i686": return Platform(architecture: "386", os: "linux")
        case "riscv64": return Platform(architecture: "riscv64", os: "linux")
        case "ppc64le": return Platform(architecture: "ppc64le", os: "linux")
        case "s390x": return Platform(architecture: "s390x", os: "linux")
        default: return Platform(architecture: machine, os: "linux")
        }
    }

    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// Whether an image for `candidate` runs here: same OS and architecture; a variant, when both name one,
    /// must match (arm64 `v8` is the default when omitted).
    public func accepts(_ candidate: Platform) -> Bool {
        guard candidate.os == os, candidate.architecture == architecture else { return false }
        let mine = variant ?? (architecture == "arm64" ? "v8" : nil)
        let theirs = candidate.variant ?? (candidate.architecture == "arm64" ? "v8" : nil)
        if let mine, let theirs { return mine == theirs || (architecture == "arm" && theirs < mine) }
        return true
    }
}
