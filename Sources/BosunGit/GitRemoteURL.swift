import Foundation

/// A remote repository URL split into parts, with any user information moved out of the shown form.
///
/// Accepted forms: a plain path, `file://`, `git://`, `http://`, `https://`, `ssh://` and scp-like
/// `user@host:path`. For http(s) the whole user information is treated as secret (tokens are often put
/// in the user part); for ssh the user name is kept and only a password is removed.
public struct GitRemoteURL: Sendable, Hashable, CustomStringConvertible {
    /// The transport a URL selects.
    public enum Scheme: String, Sendable, Hashable { case file, git, http, https, ssh }

    public let scheme: Scheme
    /// The host name or address, nil for local paths.
    public let host: String?
    /// The explicit port, nil when the URL has none.
    public let port: Int?
    /// The user name kept in the URL (ssh only).
    public let user: String?
    /// The URL handed to libgit2 and shown in messages: never contains a password or an http user.
    public let redacted: String
    /// User information removed from the original text, to be used as credentials.
    let extractedUser: String?
    let extractedPassword: String?

    public var description: String { redacted }

    /// The port that will be used: the explicit one or the scheme's default.
    public var effectivePort: Int? {
        if let port { return port }
        switch scheme {
        case .file: return nil
        case .git: return 9418
        case .http: return 80
        case .https: return 443
        case .ssh: return 22
        }
    }

    /// Parses `text`; throws `GitError.Code.invalidURL` with the text shown redacted.
    public init(_ text: String) throws(GitError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw GitError(code: .invalidURL, action: "parse repository url", object: "", cause: "the url is empty")
        }
        if let range = trimmed.range(of: "://") {
            let schemeText = trimmed[..<range.lowerBound].lowercased()
            guard let scheme = Scheme(rawValue: schemeText == "git+ssh" || schemeText == "ssh+git" ? "ssh" : schemeText) else {
                throw GitError(
                    code: .invalidURL, action: "parse repository url", object: Self.redact(trimmed),
                    cause: "unsupported scheme \(schemeText)", hint: "use file, git, http, https or ssh")
            }
            let rest = trimmed[range.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            let path = String(rest[slash...])
            var hostPort = Substring(authority)
            var userinfo: Substring?
            if let at = authority.lastIndex(of: "@") {
                userinfo = authority[..<at]
                hostPort = authority[authority.index(after: at)...]
            }
            let (host, port) = try Self.splitHostPort(hostPort, original: trimmed)
            if scheme != .file && host.isEmpty {
                throw GitError(code: .invalidURL, action: "parse repository url", object: Self.redact(trimmed), cause: "the url has no host")
            }
            var user: String?
            var password: String?
            if let userinfo {
                if let colon = userinfo.firstIndex(of: ":") {
                    user = String(userinfo[..<colon]).removingPercentEncoding
                    password = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding
                } else {
                    user = String(userinfo).removingPercentEncoding
                }
            }
            self.scheme = scheme
            self.host = scheme == .file ? nil : host
            self.port = port
            let keptUser = scheme == .ssh ? user : nil
            self.user = keptUser
            self.extractedUser = scheme == .ssh ? nil : user
            self.extractedPassword = password
            var shown = "\(scheme.rawValue)://"
            if let keptUser { shown += (keptUser.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? keptUser) + "@" }
            shown += hostPort + path
            self.redacted = shown
            return
        }
        // scp-like user@host:path (a colon before any slash), otherwise a local path.
        if let colon = trimmed.firstIndex(of: ":"), !trimmed[..<colon].contains("/"), trimmed.first != "/" {
            let authority = trimmed[..<colon]
            let path = trimmed[trimmed.index(after: colon)...]
            var host = Substring(authority)
            var user: String?
            if let at = authority.lastIndex(of: "@") {
                user = String(authority[..<at])
                host = authority[authority.index(after: at)...]
            }
            if let name = user, let userColon = name.firstIndex(of: ":") { user = String(name[..<userColon]) }
            guard !host.isEmpty else {
                throw GitError(code: .invalidURL, action: "parse repository url", object: Self.redact(trimmed), cause: "the url has no host")
            }
            self.scheme = .ssh
            self.host = String(host)
            self.port = nil
            self.user = user
            self.extractedUser = nil
            self.extractedPassword = nil
            self.redacted = (user.map { "\($0)@" } ?? "") + host + ":" + path
            return
        }
        self.scheme = .file
        self.host = nil
        self.port = nil
        self.user = nil
        self.extractedUser = nil
        self.extractedPassword = nil
        self.redacted = trimmed
    }

    private static func splitHostPort(_ text: Substring, original: String) throws(GitError) -> (String, Int?) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let portText, !portText.isEmpty else { return (String(host), nil) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw GitError(code: .invalidURL, action: "parse repository url", object: redact(original), cause: "invalid port \(portText)")
        }
        return (String(host), port)
    }

    /// Removes credentials from every URL found in `text`: the whole user information of http(s) URLs
    /// and any `user:password@` of other schemes (an ssh user name alone is kept).
    public static func redact(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: "://") {
            let schemeStart = rest[..<range.lowerBound].lastIndex(where: { !($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
                .map { rest.index(after: $0) } ?? rest.startIndex
            let scheme = rest[schemeStart..<range.lowerBound].lowercased()
            result += rest[..<range.upperBound]
            let after = rest[range.upperBound...]
            let end = after.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" || $0 == "\n" || $0 == "\t" }) ?? after.endIndex
            let authority = after[..<end]
            if let at = authority.lastIndex(of: "@") {
                let userinfo = authority[..<at]
                if scheme == "http" || scheme == "https" {
                    result += authority[authority.index(after: at)...]
                } else if let colon = userinfo.firstIndex(of: ":") {
                    result += userinfo[..<colon] + "@" + authority[authority.index(after: at)...]
                } else {
                    result += authority
                }
            } else {
                result += authority
            }
            rest = after[end...]
        }
        return result + rest
    }
}
