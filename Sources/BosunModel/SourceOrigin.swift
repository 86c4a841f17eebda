import Foundation

/// Where a host's desired state comes from: a repository (its URL as recorded, with no credentials) and the
/// manifests' directory in it, or a directory on disk. The state directory belongs to one origin; the rewind
/// guard compares commits of one repository. `repositoryKey` is the one normalisation both use.
public struct SourceOrigin: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The repository URL (credentials removed) or the directory's absolute path.
    public var location: String
    /// The manifests' directory inside the repository, "" for its root; nil in what was recorded before bosun
    /// recorded it (it then matches any path of the same repository).
    public var path: String?
    /// A repository (true) or a directory on disk.
    public var isRepository: Bool

    public init(location: String, path: String?, isRepository: Bool) {
        self.location = location
        self.path = path.map(Self.normalisedPath)
        self.isRepository = isRepository
    }

    public var description: String {
        guard isRepository else { return "directory \(location)" }
        return location + ((path ?? "").isEmpty ? "" : " (path \(path!))")
    }

    /// The location compared: scheme and host lower-cased, user information, default ports, a trailing `/` or
    /// `.git` removed; `file://` URLs as plain paths; scp-like `user@host:path` as `ssh://host/~/path`
    /// (`ssh://host/path` when the path is absolute) — so `https://tok@Git.example.org/ops/hosts.git/` and
    /// `https://git.example.org/ops/hosts` are one repository.
    public var repositoryKey: String { Self.normalisedLocation(location) }

    /// One source: the same repository key and manifests' path (a path unknown to an old record matches any).
    public func isSameSource(as other: SourceOrigin) -> Bool {
        guard isRepository == other.isRepository, repositoryKey == other.repositoryKey else { return false }
        guard let path, let otherPath = other.path else { return true }
        return path == otherPath
    }

    enum CodingKeys: String, CodingKey { case location, path, isRepository = "repository" }

    static func normalisedPath(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        return parts.joined(separator: "/")
    }

    static func normalisedLocation(_ text: String) -> String {
        var url = Substring(text.trimmingCharacters(in: .whitespaces))
        func trimEnd(_ value: inout Substring) {
            while value.count > 1 && value.hasSuffix("/") { value = value.dropLast() }
            if value.hasSuffix(".git") { value = value.dropLast(4) }
            while value.count > 1 && value.hasSuffix("/") { value = value.dropLast() }
        }
        if let separator = url.range(of: "://") {
            var scheme = url[..<separator.lowerBound].lowercased()
            if scheme == "git+ssh" || scheme == "ssh+git" { scheme = "ssh" }
            let rest = url[separator.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<slash]
            var path = rest[slash...]
            trimEnd(&path)
            if scheme == "file" { return path.isEmpty ? "/" : String(path) }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var host = authority.lowercased()
            let defaults = ["http": ":80", "https": ":443", "ssh": ":22", "git": ":9418"]
            if let port = defaults[scheme], host.hasSuffix(port) { host = String(host.dropLast(port.count)) }
            return "\(scheme)://\(host)\(path)"
        }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), url.first != "/" {
            var authority = url[..<colon]
            var path = url[url.index(after: colon)...]
            trimEnd(&path)
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            return "ssh://\(authority.lowercased())" + (path.hasPrefix("/") ? String(path) : "/~/" + path)
        }
        trimEnd(&url)
        return String(url)
    }
}
