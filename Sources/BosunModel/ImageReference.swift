/// A validated, normalised image reference: `registry/repository[:tag][@digest]`, as Docker normalises names.
///
/// `nginx` becomes `docker.io/library/nginx:latest`; `localhost:5000/app@sha256:…` keeps its digest and has no tag.
public struct ImageReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The registry host with an optional port, e.g. `docker.io`, `127.0.0.1:5000`.
    public var registry: String
    /// The repository path, e.g. `library/nginx`.
    public var repository: String
    /// The tag; nil when only a digest pins the image.
    public var tag: String?
    /// The content digest, e.g. `sha256:…`.
    public var digest: String?

    public init(parsing text: String) throws(ModelValueError) {
        let original = text
        func bad(_ why: String) -> ModelValueError {
            ModelValueError("invalid image reference \"\(original)\": \(why)")
        }
        var rest = Substring(text)
        if rest.isEmpty { throw bad("it is empty") }
        if let at = rest.firstIndex(of: "@") {
            let digest = String(rest[rest.index(after: at)...])
            try ImageReference.validateDigest(digest, bad)
            self.digest = digest
            rest = rest[..<at]
        } else {
            digest = nil
        }
        // A tag is after the last ':' that comes after the last '/'.
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let tag = String(rest[rest.index(after: colon)...])
            guard ImageReference.isValidTag(tag) else {
                throw bad("tag \"\(tag)\" must be 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
            }
            self.tag = tag
            rest = rest[..<colon]
        } else {
            tag = nil
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = "docker.io"
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: \.isUppercase) {
            registry = first == "index.docker.io" ? "docker.io" : first
            components.removeFirst()
            guard ImageReference.isValidRegistry(registry) else { throw bad("registry \"\(registry)\" is not a valid host[:port]") }
        }
        if components.isEmpty || components.contains(where: { $0.isEmpty }) { throw bad("the repository name has an empty path component") }
        for component in components where !ImageReference.isValidPathComponent(component) {
            throw bad("path component \"\(component)\" must be lower-case letters and digits, separated by '.', '_', '__' or '-'")
        }
        if registry == "docker.io" && components.count == 1 { components.insert("library", at: 0) }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        if repository.count > 255 { throw bad("the repository name is longer than 255 characters") }
        if tag == nil && digest == nil { tag = "latest" }
    }

    /// `registry/repository`.
    public var name: String { "\(registry)/\(repository)" }

    public var description: String {
        var out = name
        if let tag { out += ":\(tag)" }
        if let digest { out += "@\(digest)" }
        return out
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128 else { return false }
        let word: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
        return word(first) && tag.unicodeScalars.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    static func isValidPathComponent(_ component: String) -> Bool {
        let alnum: (Character) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        let chars = Array(component)
        guard let first = chars.first, let last = chars.last, alnum(first), alnum(last) else { return false }
        var i = 0
        while i < chars.count {
            if alnum(chars[i]) { i += 1; continue }
            // separators: '.', '_', '__', one or more '-'
            if chars[i] == "." { i += 1 } else if chars[i] == "_" { i += (i + 1 < chars.count && chars[i + 1] == "_") ? 2 : 1 } else if chars[i] == "-" {
                while i < chars.count && chars[i] == "-" { i += 1 }
            } else { return false }
            guard i < chars.count, alnum(chars[i]) else { return false }
        }
        return true
    }

    static func isValidRegistry(_ registry: String) -> Bool {
        var host = Substring(registry)
        if let colon = registry.lastIndex(of: ":"), !registry.hasPrefix("[") || registry[..<colon].hasSuffix("]") {
            let port = registry[registry.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber), let n = Int(port), n > 0, n < 65536 else { return false }
            host = registry[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { return host.count > 2 }
        return !host.isEmpty && host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
            && !host.hasPrefix("-") && !host.hasPrefix(".")
    }

    static func validateDigest(_ digest: String, _ bad: (String) -> ModelValueError) throws(ModelValueError) {
        guard let colon = digest.firstIndex(of: ":") else { throw bad("digest \"\(digest)\" must be algorithm:hex") }
        let algorithm = digest[..<colon]
        let hex = digest[digest.index(after: colon)...]
        let isHex: (Character) -> Bool = { ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "f") }
        switch algorithm {
        case "sha256" where hex.count == 64 && hex.allSatisfy(isHex): return
        case "sha512" where hex.count == 128 && hex.allSatisfy(isHex): return
        case "sha256", "sha512": throw bad("digest \"\(digest)\" must have \(algorithm == "sha256" ? 64 : 128) lower-case hex digits")
        default: throw bad("digest algorithm \"\(algorithm)\" is not supported; use sha256")
        }
    }
}
