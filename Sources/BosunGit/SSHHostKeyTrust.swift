import Crypto
import Foundation

/// The ssh host keys bosun trusts: pinned keys given inline, or an OpenSSH known_hosts file.
///
/// Pinned text holds one key per line, either a bare public key (`ssh-ed25519 AAAA… comment`, trusted for
/// any host) or a known_hosts line (`host,[host]:2222 ssh-ed25519 AAAA…`). known_hosts entries match on
/// `host` for port 22 and `[host]:port` otherwise, support `*`/`?` patterns, `!` negation, hashed names
/// (`|1|salt|hash`) and `@revoked`; `@cert-authority` lines are ignored. libssh2 1.10 picks the host key
/// type without looking at what is trusted, so trust every key type the server offers (or the one it picks).
public struct SSHHostKeyTrust: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        case pinned([KnownHostsEntry])
        case file(String)
    }
    let source: Source

    /// Trusts the keys in `text` (bare public keys or known_hosts lines); throws when none parse.
    public static func pinned(_ text: String) throws(GitError) -> SSHHostKeyTrust {
        let entries = KnownHostsEntry.parse(text, allowBareKeys: true)
        guard !entries.isEmpty else {
            throw GitError(
                code: .configuration, action: "parse pinned ssh host key", object: String(text.prefix(40)),
                cause: "no public key found", hint: "give a line like 'ssh-ed25519 AAAA…' as printed by ssh-keyscan")
        }
        return SSHHostKeyTrust(source: .pinned(entries))
    }

    /// Trusts the keys listed for the host in the known_hosts file at `path`, read at each connection.
    public static func knownHostsFile(_ path: String) -> SSHHostKeyTrust {
        SSHHostKeyTrust(source: .file(path))
    }

    /// The OpenSSH-style fingerprint of a public key blob: `SHA256:` and unpadded base64.
    public static func fingerprint(ofKeyBlob blob: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The key type named inside a public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    static func keyType(ofKeyBlob blob: [UInt8]) -> String {
        guard blob.count >= 4 else { return "unknown" }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length > 0, length <= blob.count - 4 else { return "unknown" }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// Checks the server's key blob for `host`:`port`; throws `GitError.Code.hostKey` naming the
    /// host and the fingerprint when the key is unknown, mismatching or revoked.
    func verify(host: String, port: Int, keyBlob: [UInt8]) throws(GitError) {
        let name = port == 22 ? host : "[\(host)]:\(port)"
        let fingerprint = Self.fingerprint(ofKeyBlob: keyBlob)
        let type = Self.keyType(ofKeyBlob: keyBlob)
        let entries: [KnownHostsEntry]
        let origin: String
        switch source {
        case .pinned(let pinned):
            entries = pinned
            origin = "the pinned host keys"
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GitError(
                    code: .configuration, action: "read known_hosts file", object: path,
                    cause: "cannot read the file", hint: "check the path and its permissions")
            }
            entries = KnownHostsEntry.parse(String(decoding: data, as: UTF8.self), allowBareKeys: false)
            origin = "known_hosts file \(path)"
        }
        let forHost = entries.filter { $0.matches(host: name) }
        if forHost.contains(where: { $0.revoked && $0.keyBlob == keyBlob }) {
            throw GitError(
                code: .hostKey, action: "verify ssh host key of", object: name,
                cause: "host key \(fingerprint) (\(type)) is marked revoked in \(origin)",
                hint: "the server's key was revoked; do not connect until it is replaced")
        }
        let trusted = forHost.filter { !$0.revoked }
        if trusted.contains(where: { $0.keyBlob == keyBlob }) { return }
        if trusted.isEmpty {
            throw GitError(
                code: .hostKey, action: "verify ssh host key of", object: name,
                cause: "host key \(fingerprint) (\(type)) is unknown: no key for this host in \(origin)",
                hint: "check the fingerprint out of band, then pin the key (ssh-keyscan -p \(port) \(host))")
        }
        let known = trusted.map { "\(Self.fingerprint(ofKeyBlob: $0.keyBlob)) (\($0.keyType))" }.joined(separator: ", ")
        throw GitError(
            code: .hostKey, action: "verify ssh host key of", object: name,
            cause: "host key \(fingerprint) (\(type)) does not match \(origin): \(known)",
            hint: "the host key changed or someone is intercepting the connection; verify it before trusting a new key")
    }
}

/// One parsed known_hosts line (or a bare pinned key, which matches every host).
struct KnownHostsEntry: Sendable, Equatable {
    /// Host patterns; nil for a bare key.
    var patterns: [String]?
    var revoked: Bool
    var keyType: String
    var keyBlob: [UInt8]

    static func parse(_ text: String, allowBareKeys: Bool) -> [KnownHostsEntry] {
        var entries: [KnownHostsEntry] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                guard first == "@revoked" else { continue }  // @cert-authority is not supported
                revoked = true
                fields.removeFirst()
            }
            guard fields.count >= 2 else { continue }
            if allowBareKeys, isKeyType(fields[0]), let blob = Data(base64Encoded: fields[1]) {
                entries.append(KnownHostsEntry(patterns: nil, revoked: revoked, keyType: fields[0], keyBlob: [UInt8](blob)))
                continue
            }
            guard fields.count >= 3, isKeyType(fields[1]), let blob = Data(base64Encoded: fields[2]) else { continue }
            let patterns = fields[0].split(separator: ",").map(String.init)
            entries.append(KnownHostsEntry(patterns: patterns, revoked: revoked, keyType: fields[1], keyBlob: [UInt8](blob)))
        }
        return entries
    }

    static func isKeyType(_ text: String) -> Bool {
        text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-")
    }

    /// Whether this entry applies to `host` (`name` or `[name]:port`).
    func matches(host: String) -> Bool {
        guard let patterns else { return true }
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("|1|") {
                if Self.hashedMatch(pattern, host: host) { matched = true }
            } else if pattern.hasPrefix("!") {
                if Self.glob(Array(pattern.dropFirst().lowercased()), Array(host.lowercased())) { return false }
            } else if Self.glob(Array(pattern.lowercased()), Array(host.lowercased())) {
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`.
    static func hashedMatch(_ pattern: String, host: String) -> Bool {
        let parts = pattern.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0] == "1",
            let salt = Data(base64Encoded: String(parts[1])), let hash = Data(base64Encoded: String(parts[2]))
        else { return false }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(host.utf8), using: SymmetricKey(data: salt))
        return Data(mac) == hash
    }

    /// Shell-style matching with `*` and `?`, as OpenSSH uses for host patterns.
    static func glob(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
