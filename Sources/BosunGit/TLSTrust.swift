import CLibGit2
import Foundation

/// Serialises https fetches and sets libgit2's process-wide CA location for each.
///
/// `GIT_OPT_SET_SSL_CERT_LOCATIONS` is global in libgit2 and, with mbedTLS, replaces the trusted chain,
/// so a source with its own CA bundle trusts only that bundle, and others get the system bundle back.
enum TLSTrust {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: String?

    /// The system CA bundles looked for, in order, when restoring default trust.
    static let systemBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]

    /// Runs `body` with `caBundle` (or the system bundle) trusted, holding the https lock throughout.
    static func withTrust<T>(caBundle: String?, object: String, _ body: () throws(GitError) -> T) throws(GitError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let wanted = caBundle ?? systemBundles.first { FileManager.default.fileExists(atPath: $0) }
        if let wanted, wanted != current {
            if caBundle != nil, !FileManager.default.isReadableFile(atPath: wanted) {
                throw GitError(
                    code: .configuration, action: "read ca bundle for", object: object,
                    cause: "cannot read \(wanted)", hint: "check the path and its permissions")
            }
            try LibGit2.check(
                bosun_git_set_ssl_cert_file(wanted), code: .configuration, action: "load ca bundle \(wanted) for",
                object: object, hint: "the file must hold PEM certificates")
            current = wanted
        }
        return try body()
    }
}
