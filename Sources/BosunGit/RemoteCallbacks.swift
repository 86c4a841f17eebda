import CLibGit2
import Foundation

/// State shared with libgit2's C callbacks during one fetch: credentials, host key trust, the first
/// error a callback raised (libgit2 replaces callback errors with generic text), ref updates, cancellation.
final class RemoteCallbackContext: @unchecked Sendable {
    let url: GitRemoteURL
    let access: GitAccess
    private(set) var answeredCredentialTypes: Set<UInt32> = []
    var error: GitError?
    var updates: [GitRefUpdate] = []
    private let lock = NSLock()
    private var cancelled = false

    init(url: GitRemoteURL, access: GitAccess) {
        self.url = url
        self.access = access
    }

    /// Asks the running fetch to stop at its next progress callback (thread-safe).
    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Masks configured secrets and strips URL credentials from a message.
    func scrub(_ text: String) -> String {
        var result = GitRemoteURL.redact(text)
        for secret in access.credentials.secrets + [url.extractedPassword].compactMap({ $0 }) where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "***")
        }
        return result
    }

    fileprivate func fail(_ error: GitError) -> Int32 {
        if self.error == nil { self.error = error }
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), error.description)
        return -1
    }

    fileprivate func answer(_ type: git_credential_t) -> Bool {
        answeredCredentialTypes.insert(type.rawValue).inserted
    }

    /// Fills `opts` with bosun's callbacks; `self` must outlive the libgit2 call using `opts`.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = credentialCallback
        callbacks.certificate_check = certificateCallback
        callbacks.update_tips = updateTipsCallback
        callbacks.transfer_progress = transferProgressCallback
        callbacks.sideband_progress = sidebandCallback
    }
}

private func context(_ payload: UnsafeMutableRawPointer?) -> RemoteCallbackContext {
    Unmanaged<RemoteCallbackContext>.fromOpaque(payload!).takeUnretainedValue()
}

private let credentialCallback: git_credential_acquire_cb = { out, _, usernameFromURL, allowedTypes, payload in
    let ctx = context(payload)
    let object = ctx.url.redacted
    func allowed(_ type: git_credential_t) -> Bool { allowedTypes & type.rawValue != 0 }
    func rejected() -> Int32 {
        ctx.fail(GitError(
            code: .authentication, action: "authenticate to", object: object,
            cause: "the server rejected the configured credentials",
            hint: "check the user name, password, token or key and that it grants read access"))
    }
    switch ctx.access.credentials {
    case .none:
        return ctx.fail(GitError(
            code: .authentication, action: "authenticate to", object: object,
            cause: "the server requires credentials and none are configured",
            hint: "configure a user and password, a token, or an ssh key for this source"))
    case .userPassword(let user, let password), .token(let password, let user):
        guard allowed(GIT_CREDENTIAL_USERPASS_PLAINTEXT) else {
            return ctx.fail(GitError(
                code: .authentication, action: "authenticate to", object: object,
                cause: "the server does not accept a user and password", hint: "use an ssh key for ssh URLs"))
        }
        guard ctx.answer(GIT_CREDENTIAL_USERPASS_PLAINTEXT) else { return rejected() }
        return git_credential_userpass_plaintext_new(out, user, password)
    case .sshKey(let key):
        let user = key.username ?? usernameFromURL.map { String(cString: $0) } ?? ctx.url.user ?? "git"
        if allowed(GIT_CREDENTIAL_USERNAME) {
            guard ctx.answer(GIT_CREDENTIAL_USERNAME) else { return rejected() }
            return git_credential_username_new(out, user)
        }
        guard allowed(GIT_CREDENTIAL_SSH_KEY) else {
            return ctx.fail(GitError(
                code: .authentication, action: "authenticate to", object: object,
                cause: "the server does not accept an ssh key", hint: "use user and password credentials for http(s)"))
        }
        guard FileManager.default.isReadableFile(atPath: key.privateKeyPath) else {
            return ctx.fail(GitError(
                code: .configuration, action: "read ssh private key", object: key.privateKeyPath,
                cause: "cannot read the file", hint: "check the path and its permissions"))
        }
        guard ctx.answer(GIT_CREDENTIAL_SSH_KEY) else { return rejected() }
        return git_credential_ssh_key_new(out, user, key.publicKeyPath, key.privateKeyPath, key.passphrase)
    }
}

private let certificateCallback: git_transport_certificate_check_cb = { cert, valid, hostPointer, payload in
    let ctx = context(payload)
    let host = hostPointer.map { String(cString: $0) } ?? ctx.url.host ?? ""
    guard let cert else { return -1 }
    if cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 {
        let hostkey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
            return ctx.fail(GitError(
                code: .hostKey, action: "verify ssh host key of", object: host,
                cause: "libssh2 did not provide the raw host key"))
        }
        let blob = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
        guard let trust = ctx.access.hostKeys else {
            let port = ctx.url.effectivePort ?? 22
            let name = port == 22 ? host : "[\(host)]:\(port)"
            return ctx.fail(GitError(
                code: .hostKey, action: "verify ssh host key of", object: name,
                cause: "host key \(SSHHostKeyTrust.fingerprint(ofKeyBlob: blob)) (\(SSHHostKeyTrust.keyType(ofKeyBlob: blob))) is unknown: no host keys are configured",
                hint: "pin the server's key or give a known_hosts file"))
        }
        do throws(GitError) {
            try trust.verify(host: host, port: ctx.url.effectivePort ?? 22, keyBlob: blob)
            return 0
        } catch {
            return ctx.fail(error)
        }
    }
    if valid != 0 { return 0 }
    return ctx.fail(GitError(
        code: .certificate, action: "verify tls certificate of", object: host,
        cause: "the certificate is not trusted or does not name this host",
        hint: "give the CA bundle that signed it, and use the host name the certificate was issued for"))
}

private let updateTipsCallback: @convention(c) (
    UnsafePointer<CChar>?, UnsafePointer<git_oid>?, UnsafePointer<git_oid>?, UnsafeMutableRawPointer?
) -> Int32 = { name, old, new, payload in
    let ctx = context(payload)
    func id(_ oid: UnsafePointer<git_oid>?) -> GitCommitID? {
        guard let oid, git_oid_is_zero(oid) == 0 else { return nil }
        return GitCommitID(LibGit2.hex(oid))
    }
    ctx.updates.append(GitRefUpdate(name: name.map { String(cString: $0) } ?? "", old: id(old), new: id(new)))
    return 0
}

private let transferProgressCallback: git_indexer_progress_cb = { _, payload in
    context(payload).isCancelled ? -1 : 0
}

private let sidebandCallback: git_transport_message_cb = { _, _, payload in
    context(payload).isCancelled ? -1 : 0
}
